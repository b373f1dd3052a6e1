/**
 * Backups of the embedded SQLite database, for `kataven backup` and `kataven restore`.
 *
 * A backup is taken with SQLite's online backup API (better-sqlite3's `db.backup()`) from its own
 * connection while the hub runs: a copy of the file alone would miss what is still in the `-wal` file,
 * or catch a page half written. All pages are copied in one step, inside one read transaction, so the
 * copy is the database as of one commit; in WAL mode the hub's writes go on meanwhile.
 *
 * A restore replaces the database of a stopped hub only. The file is checked first (integrity_check,
 * and a Kataven schema whose migrations this version knows); the current database is kept beside it;
 * the new one takes its place with one rename, so the data directory holds at every moment either the
 * whole old database or the whole new one, never a mix.
 */
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { DATA_FILE_MODE, HUB_PID_FILE, livePid, RESTORE_LOCK_FILE } from '../data-dir.js';
import { migrationProvider } from './migrations.js';

export const SQLITE_FILE = 'kataven.sqlite';

/** A refusal with what to do about it: the CLI prints the message as it is. */
export class BackupError extends Error {}

/** Copies the live database of `dataDir` to `to` (a new file); returns its size in bytes. */
export async function backupDatabase(dataDir: string, to: string): Promise<number> {
  const source = join(dataDir, SQLITE_FILE);
  if (!existsSync(source)) throw new BackupError(`no Kataven database in ${dataDir} (${SQLITE_FILE}); check --data-dir`);
  if (existsSync(to)) throw new BackupError(`${to} already exists; a backup never overwrites a file: give a new name`);
  if (!existsSync(dirname(to))) throw new BackupError(`the directory of ${to} does not exist; create it first`);
  const partial = `${to}.partial-${process.pid}`;
  // Created 0600 first: the copy holds what the database holds (webhook secrets, conversations).
  closeSync(openSync(partial, 'wx', DATA_FILE_MODE));
  const db = new SQLite(source, { fileMustExist: true });
  try {
    // A hub writing at this moment holds the write lock for a moment: wait for it as the hub itself would.
    db.pragma('busy_timeout = 5000');
    // The largest step there is: every page in one step, so the copy never restarts on a concurrent write.
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
  try {
    await checkDatabaseFile(partial);
    syncFile(partial);
    renameSync(partial, to);
  } finally {
    rmSync(partial, { force: true });
    removeSidecars(partial);
  }
  return statSync(to).size;
}

/**
 * Throws BackupError unless `file` is an intact SQLite database with a Kataven schema of this version or
 * older (migrations run at the hub's next start). Opens it read-write: the file must be a copy.
 */
export async function checkDatabaseFile(file: string): Promise<void> {
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { fileMustExist: true });
  } catch (err) {
    throw new BackupError(`${file} cannot be opened as a SQLite database (${(err as Error).message})`);
  }
  try {
    let problems: string[];
    try {
      problems = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).filter((r) => r !== 'ok');
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw new BackupError(`${file} is not a SQLite database`);
      throw new BackupError(`${file} is damaged (${(err as Error).message}); use another backup`);
    }
    if (problems.length) throw new BackupError(`${file} is damaged (integrity_check: ${problems.slice(0, 3).join('; ')}); use another backup`);
    const hasMigrations = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
    const applied = hasMigrations ? (db.prepare('select name from kysely_migration order by name').all() as Array<{ name: string }>).map((r) => r.name) : [];
    if (!applied.length) throw new BackupError(`${file} is a SQLite database but not a Kataven one (no migrations recorded)`);
    const known = new Set(Object.keys(await migrationProvider.getMigrations()));
    const unknown = applied.filter((name) => !known.has(name));
    if (unknown.length) throw new BackupError(`${file} was written by a newer Kataven (migrations ${unknown.join(', ')}); restore it with that version`);
  } finally {
    db.close();
  }
}

/**
 * Replaces the database in `dataDir` with the backup `from`; returns where the previous database was
 * kept (null when there was none). Refuses while a hub serves the directory or another restore runs.
 */
export async function restoreDatabase(dataDir: string, from: string): Promise<string | null> {
  if (!existsSync(from)) throw new BackupError(`${from} does not exist`);
  if (!existsSync(dataDir)) throw new BackupError(`the data directory ${dataDir} does not exist; create it (mode 700) or check --data-dir`);
  const lock = join(dataDir, RESTORE_LOCK_FILE);
  takeLock(lock);
  const incoming = join(dataDir, `${SQLITE_FILE}.restoring`);
  try {
    const hub = livePid(join(dataDir, HUB_PID_FILE));
    if (hub !== null) {
      throw new BackupError(
        `a hub (process ${hub}) is serving ${dataDir}: stop it first; restore replaces the database of a stopped hub only (if no hub runs there, process ${hub} is another program: remove ${join(dataDir, HUB_PID_FILE)})`,
      );
    }
    copyFileSync(from, incoming);
    chmodSync(incoming, DATA_FILE_MODE);
    await checkDatabaseFile(incoming);
    removeSidecars(incoming);
    syncFile(incoming);
    const current = join(dataDir, SQLITE_FILE);
    let kept: string | null = null;
    if (existsSync(current)) {
      settle(current);
      kept = `${current}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      copyFileSync(current, kept);
      syncFile(kept);
    }
    renameSync(incoming, current);
    return kept;
  } finally {
    rmSync(incoming, { force: true });
    removeSidecars(incoming);
    rmSync(lock, { force: true });
  }
}

/** Creates `lock` with this process's id; a lock left by a process that is gone is taken over. */
function takeLock(lock: string): void {
  try {
    writeFileSync(lock, `${process.pid}\n`, { flag: 'wx', mode: DATA_FILE_MODE });
  } catch {
    const holder = livePid(lock);
    if (holder !== null) throw new BackupError(`another restore (process ${holder}) is running on this data directory`);
    writeFileSync(lock, `${process.pid}\n`, { mode: DATA_FILE_MODE });
  }
}

/**
 * Moves whatever the stopped hub left in its `-wal` file into the database file (a hub that crashed
 * leaves one), so the file alone is the whole database, and the old `-wal` cannot be replayed onto the
 * restored file.
 */
function settle(file: string): void {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  if (existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0) {
    throw new BackupError(`${file}-wal could not be merged into the database (is a hub still running on it?); nothing was changed`);
  }
  removeSidecars(file);
}

function removeSidecars(file: string): void {
  for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
