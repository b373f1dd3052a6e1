/**
 * The data directory holds the SQLite database (webhook secrets, every conversation) and the session
 * secret: only the hub's own user may read it. The hub creates the directory 0700 and its files 0600;
 * at start it reports (without changing them: they are the operator's) any that others may read.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** One line per entry that group or others may access, naming the chmod that fixes it; none on Windows. */
export function dataDirWarnings(dataDir: string): string[] {
  if (process.platform === 'win32') return [];
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return []; // no data directory: PostgreSQL with a configured session secret
  }
  const warnings: string[] = [];
  const check = (path: string, wanted: number) => {
    const mode = statSync(path, { throwIfNoEntry: false })?.mode;
    if (mode !== undefined && (mode & 0o077) !== 0) {
      warnings.push(`${path} is readable by other users (mode ${(mode & 0o777).toString(8)}): run chmod ${wanted.toString(8)} ${path}`);
    }
  };
  check(dataDir, DATA_DIR_MODE);
  for (const name of names) check(join(dataDir, name), statSync(join(dataDir, name)).isDirectory() ? DATA_DIR_MODE : DATA_FILE_MODE);
  return warnings;
}

/** Written by a hub serving the SQLite database of this directory while it runs: `kataven restore` refuses then. */
export const HUB_PID_FILE = 'hub.pid';
/** Held by `kataven restore` while it replaces the database: a hub refuses to start then. */
export const RESTORE_LOCK_FILE = 'restore.lock';

/** The process id in `file` if that process still runs (a stale file from a crash names none); null otherwise. */
export function livePid(file: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/**
 * Marks the directory as served by this process until the returned function runs. Throws when a restore
 * holds it: the hub must not open a database that is being replaced. The mark is written before the
 * restore's lock is looked at, and restore takes its lock before it looks at the mark: of a hub and a
 * restore starting together, at least one sees the other.
 */
export function markHubRunning(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const file = join(dataDir, HUB_PID_FILE);
  // One hub process per SQLite directory: a second one (a second `npm start`, say) would share the
  // first one's database, and the demo would rewrite the first demo's keys under it. Several hubs
  // share PostgreSQL instead (README, "Deployment: several hubs on PostgreSQL and Redis").
  const other = livePid(file);
  if (other !== null && other !== process.pid) {
    throw new Error(
      `another hub (process ${other}) is serving the SQLite database in ${dataDir}: stop it, or give this hub a directory of its own (--data-dir DIR or KATAVEN_DATA_DIR)` +
        ` (if no hub runs there, process ${other} is another program: remove ${file})`,
    );
  }
  // A token of our own: two hubs of one process (tests) on one directory must not remove each other's mark.
  const mark = `${process.pid}\n${randomBytes(8).toString('hex')}\n`;
  writeFileSync(file, mark, { mode: DATA_FILE_MODE });
  const release = () => {
    try {
      if (readFileSync(file, 'utf8') === mark) unlinkSync(file);
    } catch {
      /* already gone */
    }
  };
  const restoring = livePid(join(dataDir, RESTORE_LOCK_FILE));
  if (restoring !== null) {
    release();
    throw new Error(`kataven restore (process ${restoring}) is replacing the database in ${dataDir}; start the hub once it has finished`);
  }
  return release;
}
