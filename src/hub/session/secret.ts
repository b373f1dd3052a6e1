/**
 * The session signing secret: from KATAVEN_SESSION_SECRET, or (embedded default) generated once and kept
 * in the data directory, so tokens survive a restart of a single hub.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR_MODE, DATA_FILE_MODE } from '../data-dir.js';

export function resolveSessionSecret(configured: string | null, dataDir: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'session-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    /* first start: create it below */
  }
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: DATA_FILE_MODE });
  return secret;
}
