/**
 * The CLI as users run it: `node dist/cli.js …` in a child process. dist/ is rebuilt (`node build.mjs
 * node`) when a source file is newer, under a lock so parallel test files do not build over each other.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');

const mtime = (path: string) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : mtime(path));
  }
  return newest;
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function buildCli(): void {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const lock = join(ROOT, 'dist', '.cli-test-build.lock');
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 60_000) rmSync(lock, { recursive: true, force: true }); // left behind by a killed run
      pause(100);
    }
  }
  try {
    if (mtime(CLI) < newestSource(join(ROOT, 'src'))) execFileSync(process.execPath, ['build.mjs', 'node', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kataven …args` with only the given KATAVEN_* variables set. */
export function kataven(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KATAVEN_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The JSON a `--json` run printed, failing with its stderr if it did not succeed. */
export function json<T = any>(run: Run): T {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/**
 * A hub for one CLI test file (SQLite: the CLI only talks HTTP, and the client suites run on every
 * dialect), and `kataven <group> …args` with that hub's URL and secret key.
 */
export function cliAgainstHub(group: string) {
  const cli = {} as { hub: TestHub; run: (...args: string[]) => Promise<Run> };
  beforeAll(async () => {
    const hub = await startTestHub('sqlite');
    cli.hub = hub;
    cli.run = (...args) => kataven([group, ...args, '--api-key', hub.account.secret_key, '--base-url', hub.url]);
  });
  afterAll(() => cli.hub.close());
  return cli;
}
