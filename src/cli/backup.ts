/**
 * `kataven backup --to FILE` and `kataven restore FILE`: the embedded SQLite database, copied while the hub
 * runs and put back while it is stopped (src/hub/db/sqlite-backup.ts). PostgreSQL has its own tools.
 */
import { resolve } from 'node:path';
import { BackupError, backupDatabase, restoreDatabase } from '../hub/db/sqlite-backup.js';
import { parse, UsageError } from './args.js';
import { hubConfigOrExit } from './hub-config.js';

const BACKUP_USAGE = `Usage: kataven backup --to FILE [--data-dir DIR]

Copies the hub's SQLite database (DIR/kataven.sqlite) to FILE, a new file, with SQLite's online backup:
safe while the hub runs. Keep the data directory's session-secret file too (docs/deployment.md#backups).
With PostgreSQL (KATAVEN_DATABASE_URL) use pg_dump instead.`;

const RESTORE_USAGE = `Usage: kataven restore FILE [--data-dir DIR]

Puts the backup FILE back as DIR/kataven.sqlite, on a stopped hub only. FILE is checked first (SQLite
integrity_check, a Kataven schema this version knows); the database it replaces is kept beside it as
kataven.sqlite.before-restore-<time>.`;

const FLAGS = { to: { type: 'string' }, 'data-dir': { type: 'string' }, 'database-url': { type: 'string' } } as const;

/** The data directory of an embedded database; PostgreSQL is refused with the tool to use instead. */
function sqliteDataDir(values: Record<string, unknown>, tool: string): string {
  const config = hubConfigOrExit(values as Record<string, string | undefined>, { serving: false });
  if (config.databaseUrl) throw new UsageError(`this hub uses PostgreSQL (KATAVEN_DATABASE_URL): use ${tool} (docs/deployment.md#backups)`);
  return config.dataDir;
}

export async function backupCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, FLAGS, BACKUP_USAGE);
  if (values.help) return void console.log(BACKUP_USAGE);
  if (!values.to || positionals.length) throw new UsageError(`--to FILE is required, and nothing else\n\n${BACKUP_USAGE}`);
  const dataDir = sqliteDataDir(values, 'pg_dump');
  const to = resolve(values.to);
  const bytes = await refusals(backupDatabase(dataDir, to));
  console.log(`Backed up ${dataDir}/kataven.sqlite to ${to} (${bytes} bytes).`);
}

export async function restoreCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, FLAGS, RESTORE_USAGE);
  if (values.help) return void console.log(RESTORE_USAGE);
  if (positionals.length !== 1 || values.to) throw new UsageError(`give exactly one backup FILE\n\n${RESTORE_USAGE}`);
  const dataDir = sqliteDataDir(values, 'pg_restore or psql');
  const from = resolve(positionals[0]!);
  const kept = await refusals(restoreDatabase(dataDir, from));
  console.log(`Restored ${from} into ${dataDir}/kataven.sqlite.${kept ? ` The previous database is kept as ${kept}.` : ''} Start the hub.`);
}

/** A refusal (bad file, running hub) is the user's to fix: exit 1 with its message, no stack. */
async function refusals<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof BackupError) throw new Error(err.message);
    throw err;
  }
}
