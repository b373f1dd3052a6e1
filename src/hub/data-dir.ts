/**
 * The data directory holds the SQLite database (webhook secrets, every conversation) and the session
 * secret: only the hub's own user may read it. The hub creates the directory 0700 and its files 0600;
 * at start it reports (without changing them: they are the operator's) any that others may read.
 */
import { readdirSync, statSync } from 'node:fs';
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
