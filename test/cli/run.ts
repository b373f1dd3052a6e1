/** The CLI as users run it: `node dist/cli.js …` in a child process (dist/ is built by test/setup/build.ts). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');

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
