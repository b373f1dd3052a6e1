import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOADER_GZIP_BUDGET } from '../../src/protocol/budgets.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, withLastCharChanged } from '../helpers/widget.js';

describe('widget documents', () => {
  let hub: TestHub;
  let key: { id: string; key: string };
  beforeAll(async () => {
    hub = await startTestHub('sqlite');
    if (!hub.ctx.assets) throw new Error('dist/ is not built: run `npm run build` (npm test does it first)');
    key = await createKey(hub, ['shop.example', 'localhost:3000']);
  });
  afterAll(() => hub.close());

  const frame = (k: string, o: string) => fetch(`${hub.url}/widget/v1/frame?k=${encodeURIComponent(k)}&o=${encodeURIComponent(o)}`);
  /** The frame URL as the loader builds it: the public key and the page origin, unencoded. */
  const loaderFrame = (pk: string, o: string) => fetch(`${hub.url}/widget/v1/frame?k=${pk}&o=${o}`);
  const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

  it('lets only the validated origin frame the widget, with a strict CSP', async () => {
    const res = await frame(key.id, 'http://localhost:3000');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain('frame-ancestors http://localhost:3000');
    expect(csp).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const html = await res.text();
    expect(html).not.toMatch(/style=|<script src|<link/);
  });

  it("inlines the frame's CSS and JS, allowed by their hashes and nothing else", async () => {
    const res = await loaderFrame(key.key, 'http://localhost:3000');
    expect(res.status).toBe(200);
    const html = await res.text();
    const js = readFileSync(`dist/frame/${hub.ctx.assets!.frame.js.en}`, 'utf8');
    const css = readFileSync(`dist/frame/${hub.ctx.assets!.frame.css}`, 'utf8');
    expect(html).toContain(`<script>${js}</script>`);
    expect(html).toContain(`<style>${css}</style>`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`script-src ${sha256(js)};`);
    expect(csp).toContain(`style-src ${sha256(css)};`);
    expect(csp).not.toMatch(/'self'[^;]*;[^;]*style-src|unsafe-inline/);
  });

  it('answers the loader\'s form of the frame URL (public key and origin) for an allowed origin only', async () => {
    const ok = await loaderFrame(key.key, 'https://shop.example');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain('frame-ancestors https://shop.example');
    const refused = await loaderFrame(key.key, 'https://evil.example');
    expect(refused.status).toBe(204);
    expect(await refused.text()).toBe('');
    expect(refused.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const typo = await loaderFrame(withLastCharChanged(key.key), 'https://shop.example');
    expect(typo.status).toBe(204);
  });

  it.each([
    ['an origin the key does not allow', () => key.id, 'https://evil.example'],
    ['a malformed origin', () => key.id, 'https://shop.example/path'],
    ['an origin with userinfo', () => key.id, 'https://a@shop.example'],
    ['an unknown key', () => 'wk_000000000000000000000', 'https://shop.example'],
    ['a malformed key id', () => '../etc', 'https://shop.example'],
  ])("forbids every ancestor for %s", async (_name, k, o) => {
    const res = await frame(k(), o);
    // 204, not 403: the loader asks for the frame before the handshake has decided, and a browser does
    // not navigate an iframe to a 204 (no document, no console error on the refused page).
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it("forbids every ancestor once the key is disabled", async () => {
    const k = await createKey(hub, ['gone.example']);
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { disabled: true } });
    const res = await frame(k.id, 'https://gone.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  /** A raw GET (Node's fetch would decode the body and hide Content-Encoding). */
  const rawGet = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      get(hub.url + path, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });

  it('serves the loader with a short cache, an ETag and a 304 on revalidation', async () => {
    const res = await rawGet('/widget/v1/loader.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.equals(readFileSync('dist/loader.js'))).toBe(true);
    const etag = res.headers.etag!;
    expect(etag).toBe(`"${hub.ctx.assets!.loader.hash}"`);
    const again = await rawGet('/widget/v1/loader.js', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it.each([
    ['gzip', 'gzip, deflate', gunzipSync],
    ['br', 'gzip, deflate, br', brotliDecompressSync],
  ] as const)('sends the loader and frame assets %s-compressed when the browser accepts it', async (encoding, accept, decode) => {
    const loader = await rawGet('/widget/v1/loader.js', { 'accept-encoding': accept });
    expect(loader.headers['content-encoding']).toBe(encoding);
    expect(loader.headers.vary).toContain('Accept-Encoding');
    expect(loader.headers.etag).toBe(`"${hub.ctx.assets!.loader.hash}-${encoding}"`);
    expect(loader.body.length).toBeLessThanOrEqual(LOADER_GZIP_BUDGET);
    expect(decode(loader.body).equals(readFileSync('dist/loader.js'))).toBe(true);
    expect((await rawGet('/widget/v1/loader.js', { 'accept-encoding': accept, 'if-none-match': loader.headers.etag! })).status).toBe(304);
    const js = await rawGet(`/widget/v1/assets/${hub.ctx.assets!.frame.js.en}`, { 'accept-encoding': accept });
    expect(js.headers['content-encoding']).toBe(encoding);
    expect(decode(js.body).equals(readFileSync(`dist/frame/${hub.ctx.assets!.frame.js.en}`))).toBe(true);
  });

  it('serves the loader at an immutable content-addressed URL that matches its integrity value', async () => {
    const { hash, integrity } = hub.ctx.assets!.loader;
    const res = await fetch(`${hub.url}/widget/v1/loader/${hash}.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = Buffer.from(await res.arrayBuffer());
    expect('sha384-' + createHash('sha384').update(body).digest('base64')).toBe(integrity);
    expect((await fetch(`${hub.url}/widget/v1/loader/0000000000000000.js`)).status).toBe(404);
  });

  it('serves frame assets immutable and nothing else', async () => {
    const res = await fetch(`${hub.url}/widget/v1/assets/${hub.ctx.assets!.frame.css}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${hub.url}/widget/v1/assets/..%2Fcli.js`)).status).toBe(404);
  });

  it('reports database reachability on /healthz', async () => {
    const res = await fetch(`${hub.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok' });
  });
});
