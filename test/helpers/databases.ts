/**
 * The dialects every store test runs on: SQLite always, PostgreSQL when KATAVEN_TEST_DATABASE_URL is set.
 * Each PostgreSQL store gets a database of its own, so parallel files and runs never collide. The one
 * home of the tests' PostgreSQL plumbing: throwaway databases, admin statements, killed connections.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';

const pgUrl = process.env.KATAVEN_TEST_DATABASE_URL;
if (process.env.CI && !pgUrl) {
  throw new Error('KATAVEN_TEST_DATABASE_URL must be set in CI: the PostgreSQL store tests may not be skipped there');
}
if (!pgUrl) console.warn('[tests] KATAVEN_TEST_DATABASE_URL is not set: PostgreSQL variants of the store tests are skipped on this run');

export const DIALECTS: TestDialect[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  dataDir: string;
  databaseUrl: string | null;
  drop(): Promise<void>;
}

/** One statement on `url` (default: the server of KATAVEN_TEST_DATABASE_URL), on a connection of its own. */
export async function adminQuery<R extends pg.QueryResultRow = any>(text: string, values: unknown[] = [], url = pgUrl): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Kills every server connection to `database` (ours only: filtered by datname). Returns how many. */
export async function terminateConnections(database: string): Promise<number> {
  const rows = await adminQuery('select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
  return rows.filter((r) => r.ok).length;
}

export const databaseName = (url: string) => new URL(url).pathname.slice(1);

export async function testDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kataven-test-'));
  if (dialect === 'sqlite') return { dataDir, databaseUrl: null, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const name = `kataven_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(pgUrl!);
  url.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
