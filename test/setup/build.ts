/**
 * vitest globalSetup: the one build before any test. dist/ is what the loader's dist run, the CLI tests,
 * the cluster's hub processes and the e2e hub use, so it must be the build of the sources under test.
 *
 * One staleness rule: a hash of every input (the files under src/ and build.mjs, names and contents) is
 * kept in dist/.inputs-hash after a successful build; a different hash, or none, means `node build.mjs`.
 * A hash rather than mtimes, so that a build made from other sources (another branch, a killed run, an
 * older checkout with newer timestamps) is never taken for fresh.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.inputs-hash');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

export function inputsHash(): string {
  const hash = createHash('sha256');
  for (const file of [...files(join(ROOT, 'src')), join(ROOT, 'build.mjs')]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function setup(): void {
  const wanted = inputsHash();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return;
  try {
    execFileSync(process.execPath, ['build.mjs', '--quiet'], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    const out = e as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`\`node build.mjs\` failed, so no test can run against dist/:\n${out.stderr ?? ''}${out.stdout ?? ''}`);
  }
  writeFileSync(STAMP, wanted);
}
