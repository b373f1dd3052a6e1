import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey } from '../helpers/widget.js';

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

  it('lets only the validated origin frame the widget, with a strict CSP', async () => {
    const res = await frame(key.id, 'http://localhost:3000');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain('frame-ancestors http://localhost:3000');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const html = await res.text();
    expect(html).toContain(`/widget/v1/assets/${hub.ctx.assets!.frame.js}`);
    expect(html).not.toMatch(/<script>|style=/);
  });

  it.each([
    ['an origin the key does not allow', () => key.id, 'https://evil.example'],
    ['a malformed origin', () => key.id, 'https://shop.example/path'],
    ['an origin with userinfo', () => key.id, 'https://a@shop.example'],
    ['an unknown key', () => 'wk_000000000000000000000', 'https://shop.example'],
    ['a malformed key id', () => '../etc', 'https://shop.example'],
  ])("forbids every ancestor for %s", async (_name, k, o) => {
    const res = await frame(k(), o);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it("forbids every ancestor once the key is disabled", async () => {
    const k = await createKey(hub, ['gone.example']);
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { disabled: true } });
    const res = await frame(k.id, 'https://gone.example');
    expect(res.status).toBe(403);
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
    expect(loader.body.length).toBeLessThanOrEqual(1500);
    expect(decode(loader.body).equals(readFileSync('dist/loader.js'))).toBe(true);
    expect((await rawGet('/widget/v1/loader.js', { 'accept-encoding': accept, 'if-none-match': loader.headers.etag! })).status).toBe(304);
    const js = await rawGet(`/widget/v1/assets/${hub.ctx.assets!.frame.js}`, { 'accept-encoding': accept });
    expect(js.headers['content-encoding']).toBe(encoding);
    expect(decode(js.body).equals(readFileSync(`dist/frame/${hub.ctx.assets!.frame.js}`))).toBe(true);
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
