/**
 * The console's documents and files as the hub serves them: the strict CSP (no inline script, no
 * framing), the preview framed by the console only, hashed assets, and a clear 404 for anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe('the /console documents', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('sqlite');
  });
  afterAll(() => hub.close());

  const csp = (header: string | null) => Object.fromEntries((header ?? '').split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));

  it('serves the console with script-src \'self\' only, frame-ancestors \'none\', and no inline script', async () => {
    const r = await hub.api('/console', { key: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    const policy = csp(r.headers.get('content-security-policy'));
    expect(policy).toMatchObject({ 'default-src': "'none'", 'script-src': "'self'", 'style-src': "'self'", 'frame-ancestors': "'none'", 'frame-src': "'self'" });
    expect(r.headers.get('cache-control')).toBe('no-store');
    const scripts = [...(r.body as string).matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(1);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\/console\/assets\/console\.[A-Z0-9]+\.js"/);
      expect(body).toBe('');
    }
    expect(r.body).not.toMatch(/\sstyle=|\son\w+=/);
  });

  it('serves the preview for the console to frame, and nobody else', async () => {
    const r = await hub.api('/console/preview', { key: null });
    expect(r.status).toBe(200);
    expect(csp(r.headers.get('content-security-policy'))).toMatchObject({ 'frame-ancestors': "'self'", 'script-src': "'self'" });
    expect(r.body).toMatch(/href="\/widget\/v1\/assets\/frame-style\.[A-Z0-9]+\.css"/);
  });

  it('serves its hashed files immutable, gzipped when asked, and answers 404 with a pointer for others', async () => {
    const page = (await hub.api('/console', { key: null })).body as string;
    const js = /src="(\/console\/assets\/[^"]+)"/.exec(page)![1]!;
    const res = await fetch(hub.url + js, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect((await res.text()).length).toBeGreaterThan(1000);
    const missing = await hub.api('/console/assets/nope.js', { key: null });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('/console');
  });
});
