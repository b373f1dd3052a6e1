/**
 * `kataven doctor` against real servers: a hub, the demo site's own pages (plain and strict CSP) and
 * deliberately broken pages served by an HTTP server in the test. The checks run in-process through
 * diagnose(); a few runs go through the built CLI for its output and exit codes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose, type Line } from '../../src/cli/doctor-checks.js';
import { startDemoSite, type DemoSite } from '../../src/demo/sites.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, withLastCharChanged } from '../helpers/widget.js';
import { kataven } from './run.js';

let hub: TestHub;
let demo: DemoSite;
let broken: Server;
let brokenUrl: string;
let key: string;
/** Path → page of the broken site: its HTML and response headers. */
const pages = new Map<string, { html: string; headers?: Record<string, string> }>();

beforeAll(async () => {
  hub = await startTestHub('sqlite');
  broken = createServer((req, res) => {
    const page = pages.get(req.url ?? '');
    if (!page) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...page.headers }).end(page.html);
  });
  await new Promise<void>((ok) => broken.listen(0, '127.0.0.1', ok));
  brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
  // One key for the demo site and the broken one (both on 127.0.0.1, any port).
  key = (await createKey(hub, ['127.0.0.1'])).key;
  demo = await startDemoSite({ hubUrl: hub.url, clientKey: key, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  broken.closeAllConnections();
  await new Promise((r) => broken.close(r));
  await demo.close();
  await hub.close();
});

const statuses = (lines: Line[]) => Object.fromEntries(lines.map((l) => [l.title, l.status]));
const line = (lines: Line[], title: string) => lines.find((l) => l.title === title)!;
const run = (url: string, withKey = true) => diagnose(new URL(url), withKey ? { apiKey: hub.account.secret_key } : {});
const tagFor = (clientKey: string, attrs = 'async') => `<script src="${hub.url}/widget/v1/loader.js" data-client-key="${clientKey}" ${attrs}></script>`;
const serve = (path: string, html: string, headers?: Record<string, string>) => {
  pages.set(path, { html, headers });
  return brokenUrl + path;
};

describe('kataven doctor on the demo site', () => {
  it('passes every check on the plain page', async () => {
    const lines = await run(`${demo.url}/`);
    expect(lines.filter((l) => l.status !== 'pass')).toEqual([]);
    expect(Object.keys(statuses(lines))).toEqual([
      'page', 'loader tag', 'loading', 'hub', 'SRI', 'key format', 'key and allowlist', 'frame', 'CSP', 'Permissions-Policy',
    ]);
    expect(line(lines, 'key and allowlist').detail).toContain('(entry "127.0.0.1")');
  });

  it("passes on the strict-CSP page: nonce with 'strict-dynamic', the hub in connect-src and frame-src", async () => {
    const lines = await run(`${demo.url}/strict-csp.html`);
    expect(statuses(lines)).toMatchObject({ 'CSP script-src': 'pass', 'CSP connect-src': 'pass', 'CSP frame-src': 'pass' });
    expect(lines.filter((l) => l.status !== 'pass')).toEqual([]);
  });

  it('skips the key and allowlist check without a secret key, and says why', async () => {
    const skipped = line(await run(`${demo.url}/`, false), 'key and allowlist');
    expect(skipped.status).toBe('skip');
    expect(skipped.detail).toContain('--api-key');
  });
});

describe('kataven doctor on broken pages', () => {
  it('fails without a loader tag, saying what to paste', async () => {
    const lines = await run(serve('/no-tag', '<p>hello</p><!-- <script src="https://x/widget/v1/loader.js" data-client-key="pk_live_x"></script> -->'));
    expect(statuses(lines)).toEqual({ page: 'pass', 'loader tag': 'fail' });
    expect(line(lines, 'loader tag').fix).toContain('data-client-key="pk_live_…" async');
  });

  it('fails a tag without async or defer, and a key with a broken checksum', async () => {
    const bad = withLastCharChanged(key);
    const lines = await run(serve('/sync-bad-key', tagFor(bad, '')));
    expect(statuses(lines)).toMatchObject({ loading: 'fail', 'key format': 'fail' });
    expect(line(lines, 'key format').fix).toContain('copy the key again');
  });

  it('fails an origin the allowlist refuses, with the entry to add, and the frame the hub refuses', async () => {
    const other = await createKey(hub, ['shop.example']);
    const lines = await run(serve('/not-allowed', tagFor(other.key)));
    const allow = line(lines, 'key and allowlist');
    expect(allow.status).toBe('fail');
    expect(allow.detail).toContain(`Origin ${brokenUrl} is not in the domain allowlist`);
    expect(allow.fix).toContain(`--domain shop.example --domain 127.0.0.1:${new URL(brokenUrl).port}`);
    expect(line(lines, 'frame').status).toBe('fail');
  });

  it('fails a disabled key', async () => {
    const off = await createKey(hub, ['127.0.0.1']);
    await hub.api(`/api/v1/widget-keys/${off.id}`, { method: 'PATCH', body: { disabled: true } });
    const allow = line(await run(serve('/disabled', tagFor(off.key))), 'key and allowlist');
    expect(allow.status).toBe('fail');
    expect(allow.fix).toContain('--enable');
  });

  it('passes a test key on a loopback page', async () => {
    const test = await createKey(hub, [], { mode: 'test' });
    const lines = await run(serve('/test-key', tagFor(test.key)));
    expect(lines.filter((l) => l.status !== 'pass')).toEqual([]);
    expect(line(lines, 'key format').detail).toContain('test key');
  });

  it('fails each CSP directive that leaves the hub out, header and <meta> alike', async () => {
    const meta = `<meta http-equiv="Content-Security-Policy" content="script-src 'self'">`;
    const lines = await run(serve('/csp', meta + tagFor(key), { 'content-security-policy': `default-src 'self'; frame-src ${hub.url}` }));
    expect(statuses(lines)).toMatchObject({ 'CSP script-src': 'fail', 'CSP connect-src': 'fail', 'CSP frame-src': 'pass' });
    expect(line(lines, 'CSP script-src').fix).toBe(`add ${hub.url} to script-src in the page's Content-Security-Policy header and <meta> policy`);
    expect(line(lines, 'CSP connect-src').fix).toBe(`add ${hub.url} to connect-src in the page's Content-Security-Policy header`);
  });

  it("fails 'strict-dynamic' when the loader tag lacks the nonce", async () => {
    const policy = { 'content-security-policy': `script-src 'nonce-abc123' 'strict-dynamic' ${hub.url}; connect-src *; frame-src http:` };
    const lines = await run(serve('/no-nonce', tagFor(key), policy));
    expect(statuses(lines)).toMatchObject({ 'CSP script-src': 'fail', 'CSP connect-src': 'pass', 'CSP frame-src': 'pass' });
    expect(line(lines, 'CSP script-src').fix).toContain("'strict-dynamic'");
    expect(line(await run(serve('/nonce', tagFor(key, 'async nonce="abc123"'), policy)), 'CSP script-src').status).toBe('pass');
  });

  it('checks an SRI pin against the build the hub serves', async () => {
    const assets = hub.ctx.assets!.loader;
    const pinned = `${hub.url}/widget/v1/loader/${assets.hash}.js`;
    const sri = (src: string, attrs: string) => serve(`/sri-${pages.size}`, `<script src="${src}" data-client-key="${key}" async ${attrs}></script>`);
    const sriOf = async (src: string, attrs: string) => line(await run(sri(src, attrs)), 'SRI');
    expect((await sriOf(pinned, `integrity="${assets.integrity}" crossorigin="anonymous"`)).status).toBe('pass');
    expect((await sriOf(pinned, 'integrity="sha384-AAAA" crossorigin="anonymous"')).detail).toContain('does not match');
    expect((await sriOf(`${hub.url}/widget/v1/loader.js`, `integrity="${assets.integrity}" crossorigin="anonymous"`)).fix).toContain('content-addressed');
    expect((await sriOf(pinned, `integrity="${assets.integrity}"`)).fix).toContain('crossorigin="anonymous"');
  });

  it('fails a Permissions-Policy that denies the frame clipboard-write', async () => {
    const denied = line(await run(serve('/pp', tagFor(key), { 'permissions-policy': 'camera=(), clipboard-write=(self)' })), 'Permissions-Policy');
    expect(denied.status).toBe('fail');
    expect(denied.fix).toBe(`allow it for the hub: clipboard-write=(self "${hub.url}")`);
    const allowed = line(await run(serve('/pp-ok', tagFor(key), { 'permissions-policy': `clipboard-write=(self "${hub.url}")` })), 'Permissions-Policy');
    expect(allowed.status).toBe('pass');
  });

  it('fails a page that does not answer 200', async () => {
    expect(statuses(await run(`${brokenUrl}/missing`))).toEqual({ page: 'fail' });
  });
});

describe('kataven doctor (the command)', () => {
  it('exits 0 and prints the checklist when everything passes', async () => {
    const res = await kataven(['doctor', `${demo.url}/`, '--api-key', hub.account.secret_key]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^ok {4}key and allowlist: live key wk_/m);
    expect(res.stdout).toMatch(/\n10 passed, 0 failed\n$/);
  });

  it('exits 1 with each failing line and its fix', async () => {
    const res = await kataven(['doctor', serve('/cli-sync', tagFor(key, ''))]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('FAIL  loading: the tag has neither async nor defer');
    expect(res.stdout).toContain('      fix: add async to the tag');
    expect(res.stdout).toContain('skip  key and allowlist');
  });

  it('refuses a URL that is not http(s) with exit 2', async () => {
    const res = await kataven(['doctor', 'shop.example.com']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('is not an http(s) URL');
  });
});
