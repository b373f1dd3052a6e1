/**
 * Helpers for the production-mode tests: which services are available, hub processes spawned from the
 * built CLI (dist/cli.js, built before the run by test/setup/build.ts), a TCP proxy that can cut, stall
 * or slow a dependency for one hub, and the cluster's HTTP calls. Every loop here is bounded in count
 * and in time.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const PG_URL = process.env.KATAVEN_TEST_DATABASE_URL;
export const REDIS_URL = process.env.KATAVEN_TEST_REDIS_URL;
export const SESSION_SECRET = 'cluster-test-session-secret-0123456789abcdef';

const SERVICE_VARS = { postgres: 'KATAVEN_TEST_DATABASE_URL', redis: 'KATAVEN_TEST_REDIS_URL' } as const;
type Service = keyof typeof SERVICE_VARS;

/**
 * Why a suite cannot run here, or null when it can. In CI (CI set) a missing service fails the file
 * instead: these tests may not be skipped there.
 */
export function skipReason(suite: string, ...services: Service[]): string | null {
  const missing = services.filter((s) => !process.env[SERVICE_VARS[s]]).map((s) => SERVICE_VARS[s]);
  if (missing.length === 0) return null;
  const reason = `[tests] ${suite} skipped: ${missing.join(' and ')} not set (e.g. postgres://postgres@127.0.0.1:5432/test, redis://127.0.0.1:6379)`;
  if (process.env.CI) throw new Error(`${reason.replace(' skipped', ' cannot be skipped in CI')}`);
  console.warn(reason);
  return reason;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns a value, at most `timeoutMs`; returns it and the time taken. */
export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 20): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  let last: unknown;
  for (let i = 0; i < 10_000; i++) {
    try {
      const value = await probe();
      if (value) return { value: value as T, ms: performance.now() - start };
    } catch (err) {
      last = err;
    }
    if (performance.now() - start > timeoutMs) break;
    await sleep(everyMs);
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

// ------------------------------------------------------------------------------------------ processes

export interface HubProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** The last lines the process printed, for failure messages. */
  output(): string;
  /** Every warning and error it logged (and anything that is not a JSON log line), oldest first. */
  warnings(): string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when gone. */
  stop(graceMs?: number): Promise<number | string>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Environment for a child: ours without any KATAVEN_* (so nothing leaks in), plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KATAVEN_')));
  return { ...base, KATAVEN_LOG_LEVEL: 'info', ...env };
}

/** `node dist/cli.js serve --port 0`: resolves once it logged its address. */
export function spawnHub(name: string, env: Record<string, string>, timeoutMs = 20_000): Promise<HubProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  const warnings: string[] = [];
  const exited = new Promise<number | string>((r) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      r(code ?? signal ?? 'unknown');
    }),
  );
  const output = () => lines.slice(-40).join('\n');
  const proc: HubProcess = {
    name,
    url: '',
    child,
    exited,
    output,
    warnings: () => [...warnings],
    async stop(graceMs = 5_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub ${name} did not start within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > 400) lines.splice(0, 200);
      if ((!/"level":(10|20|30),/.test(line) || !line.startsWith('{')) && warnings.length < 5_000) warnings.push(line);
      const m = /hub listening on (http:\/\/[^\s"]+)/.exec(line);
      if (m && !proc.url) {
        proc.url = m[1]!;
        clearTimeout(timer);
        resolvePromise(proc);
      }
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        parts.forEach(onLine);
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      if (!proc.url) reject(new Error(`hub ${name} exited with ${code} before listening:\n${output()}`));
    });
  });
}

/** Runs the CLI to completion and returns its stdout. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<string> {
  return new Promise((res, rej) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: childEnv(env), timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) rej(new Error(`kataven ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else res(stdout);
    });
  });
}

export async function createAccountViaCli(env: Record<string, string>, name = 'Cluster test'): Promise<{ account_id: string; secret_key: string }> {
  const out = await runCli(['accounts', 'create', '--name', name, '--json'], env);
  return JSON.parse(out.trim().split('\n').pop()!);
}

// ----------------------------------------------------------------------------------------- rate limits

/** ms until the current 1-minute rate-limit window ends; waits for the next one when fewer than `needMs` remain. */
export async function freshMinuteWindow(needMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await sleep(left + 50);
}

// ---------------------------------------------------------------------------------------------- proxy

export type ProxyMode = 'up' | 'reset' | 'stall';

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /**
   * up: forward. reset: drop every connection with a TCP reset and reset new ones (the server is gone).
   * stall: forward nothing in either direction and connect nothing new until `up` (a network partition;
   * what was sent meanwhile is delivered when it heals).
   */
  setMode(mode: ProxyMode): void;
  /** Holds every server → client chunk this long (0: off): a slow network towards this hub only. */
  downstreamDelayMs: number;
  connections(): number;
  close(): Promise<void>;
}

export async function tcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetHost = target.hostname.replace(/^\[|\]$/g, '');
  const targetPort = Number(target.port || (target.protocol.startsWith('redis') ? 6379 : 5432));
  let mode: ProxyMode = 'up';
  interface Pair { client: net.Socket; upstream: net.Socket | null }
  const pairs = new Set<Pair>();
  const proxy: TcpProxy = {
    port: 0,
    downstreamDelayMs: 0,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(proxy.port);
      return u.toString();
    },
    setMode(next) {
      mode = next;
      for (const pair of [...pairs]) {
        if (next === 'reset') kill(pair);
        else if (next === 'stall') {
          pair.client.pause();
          pair.upstream?.pause();
        } else {
          if (!pair.upstream) connectUpstream(pair);
          pair.client.resume();
          pair.upstream!.resume();
        }
      }
    },
    connections: () => pairs.size,
    async close() {
      for (const pair of [...pairs]) kill(pair);
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const kill = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream?.resetAndDestroy();
  };
  const connectUpstream = (pair: Pair) => {
    const upstream = net.connect(targetPort, targetHost);
    pair.upstream = upstream;
    upstream.on('error', () => kill(pair));
    upstream.on('close', () => {
      if (pairs.has(pair)) {
        pairs.delete(pair);
        pair.client.end();
      }
    });
    upstream.on('data', (chunk) => {
      const delay = proxy.downstreamDelayMs;
      if (delay > 0) setTimeout(() => pair.client.writable && pair.client.write(chunk), delay);
      else pair.client.write(chunk);
    });
    pair.client.on('data', (chunk) => upstream.write(chunk));
  };
  const server = net.createServer((client) => {
    client.on('error', () => {});
    if (mode === 'reset') return void client.resetAndDestroy();
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    client.on('close', () => {
      if (pairs.has(pair)) {
        pairs.delete(pair);
        pair.upstream?.end();
      }
    });
    if (mode === 'stall') client.pause();
    else connectUpstream(pair);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
