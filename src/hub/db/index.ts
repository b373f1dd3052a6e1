/**
 * Opens the store: SQLite (one file in the data directory) by default, PostgreSQL when a URL is given.
 * Runs the migrations before returning, so the hub never serves on an old schema.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { DATA_DIR_MODE, DATA_FILE_MODE } from '../data-dir.js';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';

type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Round trip to the database, for /healthz and /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface StoreOptions {
  databaseUrl: string | null;
  dataDir: string;
  poolSize?: number;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const { db, dialect } = options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize ?? 10) : openSqlite(options.dataDir);
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    db,
    dialect,
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

function openSqlite(dataDir: string) {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const path = join(dataDir, 'kataven.sqlite');
  // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database file's mode.
  closeSync(openSync(path, 'a', DATA_FILE_MODE));
  const file = new SQLite(path);
  // WAL lets readers proceed during a write; busy_timeout makes a second process wait instead of failing.
  file.pragma('journal_mode = WAL');
  file.pragma('busy_timeout = 5000');
  file.pragma('foreign_keys = ON');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) }), dialect: 'sqlite' as const };
}

function openPostgres(url: string, max: number) {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // Fail fast when the server is away (the hub answers 503) instead of queueing requests for ever.
    connectionTimeoutMillis: 2_000,
    query_timeout: 5_000,
  });
  // An idle client that loses its connection emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', () => {});
  // A checked-out client has no pool listener (pg-pool removes it on checkout), and one that loses its
  // connection between two queries (pg_terminate_backend, a reset) emits 'error' on itself: without this
  // listener the process would crash. The client is then unqueryable: its next query fails (503) and
  // the pool discards it on release.
  pool.on('connect', (client) => {
    client.on('error', () => {});
    closeOnQueryTimeout(client);
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' as const };
}

/**
 * pg's query_timeout answers the caller but leaves the query pending on the connection: every later query
 * on it (the transaction's ROLLBACK, the next request's queries once the pool hands it out again) queues
 * behind it and waits for its own timeout, so during a network partition a request could take two or
 * more timeouts. A connection whose query timed out is in an unknown state anyway: close it at once, so
 * what is queued on it fails now and the pool replaces it (pg does the same in pipeline mode).
 */
function closeOnQueryTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const socket = () => (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) {
      result.catch((err: unknown) => {
        if ((err as Error | null)?.message === 'Query read timeout') socket()?.destroy();
      });
    }
    return result;
  };
}

/** Kysely's PostgreSQL adapter holds an advisory lock while migrating, so two hubs starting together are safe. */
async function migrate(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
