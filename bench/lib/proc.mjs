/**
 * Child processes of the bench: every process started here is tracked and killed when the bench ends,
 * however it ends (normal exit, exception, Ctrl-C). Traffic stays on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The build the bench measures: a copy of dist/ taken when the run starts (snapshotDist), so that a
 * rebuild in the working tree during the run (tests rebuild dist/) cannot change what is measured.
 * The hub finds its loader and frame beside its own files, so the copy serves exactly the copied build.
 */
export const DIST = fileURLToPath(new URL('../.build/dist/', import.meta.url));
export const CLI = join(DIST, 'cli.js');

/** Copies dist/ to DIST; retries while a concurrent build leaves it incomplete. */
export async function snapshotDist() {
  const complete = (dir) => {
    if (!['cli.js', 'loader.js', 'loader.json', 'frame/manifest.json'].every((f) => existsSync(join(dir, f)))) return false;
    const manifest = JSON.parse(readFileSync(join(dir, 'frame/manifest.json'), 'utf8'));
    return [...Object.values(manifest.js ?? {}), manifest.css].every((f) => f && existsSync(join(dir, 'frame', f)));
  };
  for (let attempt = 0; attempt < 15; attempt++) {
    try {
      rmSync(DIST, { recursive: true, force: true });
      cpSync(join(ROOT, 'dist'), DIST, { recursive: true });
      if (complete(DIST)) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error('dist/ is missing or incomplete (cli.js, loader.js, loader.json, frame/): run `node build.mjs` (npm run bench does)');
}

const children = new Set();
const cleanups = [];

function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
  children.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    await runCleanups();
    killAll();
    process.exit(130);
  });
}

/** Async cleanups (browser, temp databases) run by run.mjs at the end and on a signal; last registered first. */
export function onCleanup(fn) {
  cleanups.push(fn);
}
export async function runCleanups() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (err) {
      console.error(`bench: cleanup failed: ${err?.message ?? err}`);
    }
  }
}

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Spawns a tracked Node process; its output is kept (last 4 KB) to explain a failure. */
export function spawnNode(args, { env = {}, cwd = ROOT } = {}) {
  // The hub reads KATAVEN_* from its environment: only what the bench sets reaches it, so a developer's
  // shell (a KATAVEN_DATABASE_URL, a Redis URL) cannot change what is measured.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KATAVEN_')));
  const child = spawn(process.execPath, args, { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-4096);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((ok) => child.once('exit', (code, signal) => {
    children.delete(child);
    ok({ code, signal });
  }));
  return {
    child,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a Node command to its end; resolves with stdout, rejects with its output on a non-zero exit. */
export async function runNode(args, options) {
  const p = spawnNode(args, options);
  let stdout = '';
  p.child.stdout.on('data', (c) => (stdout += c));
  const { code } = await p.exited;
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}:\n${p.output()}`);
  return stdout;
}

/** Polls url until it answers (any status) or the process dies; generous, since other work may load the machine. */
export async function waitForHttp(url, proc, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  let dead = false;
  proc.exited.then(() => (dead = true));
  while (Date.now() < until) {
    if (dead) throw new Error(`process for ${url} exited before answering:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${proc.output()}`);
}

/** `kataven serve` on a free port of 127.0.0.1, rate limit off, warnings only; `nodeArgs` e.g. `--cpu-prof`. */
export async function startHub({ dataDir, databaseUrl, env = {}, nodeArgs = [] }) {
  const port = await freePort();
  const proc = spawnNode([...nodeArgs, CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], {
    env: {
      KATAVEN_HANDSHAKE_RATE_LIMIT: '0',
      KATAVEN_LOG_LEVEL: 'warn',
      ...(databaseUrl ? { KATAVEN_DATABASE_URL: databaseUrl, KATAVEN_SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789' } : {}),
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    // A minute: on a shared 2-core machine a cold start can take more than the default 15 s.
    await waitForHttp(`${url}/healthz`, proc, 60_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, port, proc, stop: () => proc.stop() };
}
