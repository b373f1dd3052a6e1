/**
 * The package as people get it: `npm pack` (its prepack build included) on a copy of the working tree,
 * `npm install ./kataven-….tgz` into an empty directory, then what the README promises:
 * `npx kataven serve` runs a hub, `import { Kataven } from 'kataven'` works in plain Node ESM, and a strict
 * TypeScript consumer type-checks against the shipped .d.ts files (client and browser API), and
 * `kataven/browser` imports in Node as a server-side renderer would.
 *
 * Slow (a full build and an npm install), so it belongs with the e2e and cluster tests.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const npmUsable = npmVersion.status === 0;
if (!npmUsable) {
  const why = npmVersion.error?.message ?? npmVersion.stderr.trim();
  if (process.env.CI) throw new Error(`npm must work in CI for the package test: npm --version failed (${why})`);
  console.warn(`[tests] the package test is skipped on this run: npm --version failed (${why})`);
}

// The consumer's processes get none of the test run's KATAVEN_* settings: a fresh install has only defaults.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KATAVEN_')));

let work: string;
let app: string;
let packed: string[];

/**
 * better-sqlite3 installs with `prebuild-install || node-gyp rebuild`. With no route to its prebuilt
 * binaries it compiles SQLite from source, 2 to 6 minutes on this machine's two cores. It gets the binary
 * our own `npm ci` built instead, from the same version's source for the same Node ABI, through
 * prebuild-install's documented local-prebuilds directory (tarball name and layout as it expects them;
 * should npm resolve another better-sqlite3 version, the name does not match and it compiles, slowly).
 * What this test checks is our package; every other dependency still comes through npm, from its cache
 * when it has the tarball (--prefer-offline), else from the registry.
 */
function localPrebuild(): Record<string, string> {
  const dir = join(ROOT, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  const prebuilds = join(work, 'prebuilds');
  mkdirSync(prebuilds);
  const tarball = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const tar = spawnSync('tar', ['-czf', join(prebuilds, tarball), '-C', dir, 'build/Release/better_sqlite3.node'], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`could not pack better-sqlite3's binary: ${tar.stderr || tar.error?.message}`);
  return { npm_config_better_sqlite3_local_prebuilds: prebuilds };
}

const write = (file: string, text: string) => writeFileSync(join(app, file), text);

describe.skipIf(!npmUsable)('the npm package', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kataven-pack-'));
    // A copy, so that prepack's full build (which empties dist/ first) cannot pull the built files from
    // under test files running beside this one. Left out: what .gitignore keeps out of a clone.
    const tree = join(work, 'tree');
    const skip = new Set(['node_modules', 'dist', '.git', '.kataven', 'coverage']);
    cpSync(ROOT, tree, { recursive: true, filter: (src) => src === ROOT || !skip.has(src.slice(ROOT.length).split('/')[0]!) });
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
    mkdirSync(join(work, 'pack'));
    await run('npm', ['pack', '--pack-destination', join(work, 'pack')], { cwd: tree, env, maxBuffer: 1 << 24 });
    const tgz = join(work, 'pack', readdirSync(join(work, 'pack')).find((f) => f.endsWith('.tgz'))!);
    packed = (await run('tar', ['-tzf', tgz])).stdout.split('\n').filter(Boolean);

    app = join(work, 'app');
    mkdirSync(app);
    write('package.json', JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // @types/node at our own version (a TypeScript consumer of a Node client has it; the cache has it).
    const typesNode = JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string };
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tgz, `@types/node@${typesNode.version}`], {
      cwd: app, env: { ...env, ...localPrebuild() }, maxBuffer: 1 << 24,
    });
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the built files and declarations, not the source or the tests', () => {
    expect(packed).toEqual(expect.arrayContaining([
      'package/package.json', 'package/README.md', 'package/dist/cli.js', 'package/dist/index.js', 'package/dist/loader.js',
      'package/dist/frame/manifest.json', 'package/dist/types/client/index.d.ts', 'package/dist/types/protocol/browser-api.d.ts',
      'package/dist/types/protocol/browser-global.d.ts', 'package/dist/browser.js', 'package/dist/types/browser/index.d.ts',
    ]));
    expect(packed.filter((f) => !f.startsWith('package/dist/') && f !== 'package/package.json' && f !== 'package/README.md')).toEqual([]);
  });

  it('npx kataven serve runs a hub that answers /healthz and serves the loader', async () => {
    // Port 0: the system picks a free one, and the hub's start line says which.
    const hub = spawn('npx', ['--no', 'kataven', 'serve', '--port', '0', '--data-dir', join(work, 'data')], {
      cwd: app, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await waitFor(hub, /hub listening on (http:\/\/[^"\s]+)/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
      const loader = await fetch(`${url}/widget/v1/loader.js`);
      expect(loader.status).toBe(200);
      expect(await loader.text()).toBe(readFileSync(join(app, 'node_modules/kataven/dist/loader.js'), 'utf8'));
    } finally {
      await stop(hub);
    }
  }, 120_000);

  it('imports in plain Node ESM, with the client and its errors and no internals', async () => {
    write('client.mjs', `
      import * as kataven from 'kataven';
      const { Kataven, APIError, NotFoundError } = kataven;
      const client = new Kataven({ apiKey: 'sk_live_example', baseUrl: 'http://127.0.0.1:8787' });
      let missingKey;
      try { new Kataven({ baseUrl: 'http://127.0.0.1:8787' }); } catch (err) { missingKey = err.message; }
      console.log(JSON.stringify({
        exports: Object.keys(kataven).sort(),
        baseUrl: client.baseUrl,
        resources: [typeof client.widgetKeys.list, typeof client.agents.retrieve, typeof Kataven.webhooks.verify],
        errorsTyped: NotFoundError.prototype instanceof APIError,
        missingKey,
      }));
    `);
    const { stdout } = await run(process.execPath, ['client.mjs'], { cwd: app, env });
    expect(JSON.parse(stdout)).toEqual({
      exports: [
        'APIConnectionError', 'APIConnectionTimeoutError', 'APIError', 'AuthenticationError', 'BadRequestError', 'ConflictError',
        'InternalServerError', 'Kataven', 'NotFoundError', 'PagePromise', 'PermissionDeniedError', 'RateLimitError',
        'UnprocessableEntityError', 'VERSION', 'WebhookVerificationError',
      ],
      baseUrl: 'http://127.0.0.1:8787',
      resources: ['function', 'function', 'function'],
      errorsTyped: true,
      missingKey: expect.stringContaining('Missing API key'),
    });
  });

  it('imports kataven/browser in plain Node ESM, where loadKataven does nothing (server-side rendering)', async () => {
    write('ssr.mjs', `
      import { loadKataven } from 'kataven/browser';
      const api = await loadKataven({ hubUrl: 'https://hub.example.com', clientKey: 'pk_live_example' });
      console.log(JSON.stringify({ api: typeof api, open: api('open') ?? null, globals: 'Kataven' in globalThis }));
    `);
    const { stdout } = await run(process.execPath, ['ssr.mjs'], { cwd: app, env });
    expect(JSON.parse(stdout)).toEqual({ api: 'function', open: null, globals: false });
  });

  it('type-checks a strict TypeScript consumer of the client and the browser API', async () => {
    // Each `@ts-expect-error` fails the check if its line compiles, so declarations that were `any`
    // (or missing) cannot pass.
    write('node.ts', `
      // @ts-expect-error: the route table is internal
      import { ROUTES } from 'kataven';
      import { Kataven, NotFoundError, type CreateWidgetKeyParams, type WidgetKey } from 'kataven';

      const client = new Kataven({ apiKey: 'sk_live_example', baseUrl: 'http://127.0.0.1:8787', maxRetries: 1 });
      const params: CreateWidgetKeyParams = { name: 'Shop', domain_allowlist: ['shop.example.com'] };

      export async function keys(): Promise<WidgetKey[]> {
        const created = await client.widgetKeys.create(params, { idempotencyKey: 'shop-1' });
        const plaintext: string = created.key;
        const all: WidgetKey[] = [];
        for await (const key of client.widgetKeys.list({ limit: 10 })) all.push(key);
        try {
          await client.agents.retrieve('agt_example');
        } catch (err) {
          if (err instanceof NotFoundError) console.log(err.status, err.type, err.requestId, plaintext, ROUTES);
        }
        // @ts-expect-error: a misspelt field
        await client.widgetKeys.create({ nmae: 'Shop' });
        return all;
      }
    `);
    write('browser.ts', `
      import { loadKataven, type KatavenApi, type KatavenError, type LoadKatavenOptions } from 'kataven/browser';
      import type {} from 'kataven/browser/global';

      const options: LoadKatavenOptions = { hubUrl: 'https://hub.example.com', clientKey: 'pk_live_example', position: 'left', nonce: 'n0nce' };
      export const loading: Promise<KatavenApi> = loadKataven(options);
      loading.then((kataven) => kataven('on', 'open', () => kataven('close')), (error: KatavenError) => console.warn(error.type));
      loadKataven({ src: 'https://hub.example.com/widget/v1/loader/0123456789abcdef.js', integrity: 'sha384-…', clientKey: 'pk_live_example' });
      // @ts-expect-error: hubUrl or src, not both
      loadKataven({ hubUrl: 'https://hub.example.com', src: 'https://hub.example.com/widget/v1/loader.js', clientKey: 'pk_live_example' });
      // @ts-expect-error: no key
      loadKataven({ hubUrl: 'https://hub.example.com' });
      // @ts-expect-error: not a corner
      loadKataven({ ...options, position: 'top' });

      const api: KatavenApi | undefined = window.Kataven;
      api?.('open');
      window.Kataven?.('toggle');
      window.Kataven?.('on', 'ready', () => document.body.classList.add('chat-ready'));
      window.Kataven?.('on', 'error', (error: KatavenError) => {
        if (error.type === 'origin_not_allowed' || error.type === 'frame_timeout') console.warn(error.message);
      });
      // @ts-expect-error: not a command
      window.Kataven?.('opne');
      // @ts-expect-error: ready handlers get no error
      window.Kataven?.('on', 'ready', (error: KatavenError) => console.warn(error.message));
      // @ts-expect-error: not an error type the widget sends
      window.Kataven?.('on', 'error', (error) => error.type === 'no_such_error');
    `);
    // The Node side without DOM types and with Node's resolution; the page side with a bundler's.
    const strict = { strict: true, noEmit: true, target: 'es2022' };
    write('tsconfig.node.json', JSON.stringify({
      compilerOptions: { ...strict, module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022'], types: ['node'] }, files: ['node.ts'],
    }));
    write('tsconfig.browser.json', JSON.stringify({
      compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [] }, files: ['browser.ts'],
    }));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    for (const project of ['tsconfig.node.json', 'tsconfig.browser.json']) {
      const result = await run(process.execPath, [tsc, '-p', project], { cwd: app, env }).catch((err: { stdout: string }) => err);
      expect(result.stdout, project).toBe('');
    }
  }, 120_000);
});

/** Resolves with the first capture of `pattern` in the process's output; rejects if it exits first. */
function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = pattern.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}:\n${output}`)));
  });
}

/** SIGTERM to the process group: npx and the hub it started. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  process.kill(-child.pid!, 'SIGTERM');
  return exited;
}
