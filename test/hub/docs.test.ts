/** GET /docs over HTTP: the page, its CSP and every asset it names, all served by the hub itself. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe('the API reference at /docs', () => {
  let hub: TestHub;
  let page: { res: Response; html: string };
  beforeAll(async () => {
    hub = await startTestHub('sqlite');
    const res = await fetch(`${hub.url}/docs`);
    page = { res, html: await res.text() };
  });
  afterAll(() => hub.close());

  const assetPaths = () => [...page.html.matchAll(/(?:src|href)="(\/docs\/assets\/[^"]+)"/g)].map((m) => m[1]!);

  it('answers HTML with a CSP that allows scripts from the hub only', () => {
    expect(page.res.status).toBe(200);
    expect(page.res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.res.headers.get('content-security-policy')!;
    expect(csp.split('; ')).toEqual(expect.arrayContaining(["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]));
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/https?:/);
  });

  it('names no file outside the hub', () => {
    expect(page.html).not.toMatch(/(?:src|href)="(?!\/)/);
    expect(assetPaths()).toHaveLength(4);
  });

  it('serves every asset the page names, immutable, with its type', async () => {
    const types = [];
    for (const path of assetPaths()) {
      const res = await fetch(hub.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
      types.push(res.headers.get('content-type'));
    }
    expect(types.sort()).toEqual(['image/png', 'text/css; charset=utf-8', 'text/javascript; charset=utf-8', 'text/javascript; charset=utf-8']);
  });

  it('sends the renderer gzipped to clients that accept it', async () => {
    const bundle = assetPaths().find((p) => p.includes('swagger-ui-bundle'))!;
    const res = await fetch(hub.url + bundle, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toContain('SwaggerUIBundle');
  });

  it('answers an unknown asset with a 404 in the error shape', async () => {
    const res = await hub.api('/docs/assets/nope.js');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { type: 'not_found', message: expect.stringContaining('open /docs') } });
  });
});
