import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDSHAKE_PATH } from '../../src/protocol/handshake.js';
import { DIALECTS } from '../helpers/databases.js';
import { call } from '../helpers/http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe.each(DIALECTS)('handshake on %s', (dialect) => {
  let hub: TestHub;
  let key: { id: string; key: string; key_last8: string };
  beforeAll(async () => {
    hub = await startTestHub(dialect, { handshakeRateLimit: 5 });
    key = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'Site', domain_allowlist: ['shop.example', 'localhost:3000'] } })).body;
  });
  afterAll(() => hub.close());

  const handshake = (body: string, origin?: string | null, extra: Record<string, string> = {}) =>
    call(hub.url, 'POST', HANDSHAKE_PATH, { body, headers: { 'content-type': 'text/plain;charset=UTF-8', ...(origin ? { origin } : {}), ...extra } });
  const hs = (origin?: string | null, clientKey = key.key) => handshake(JSON.stringify({ client_key: clientKey }), origin);

  it('allows a listed origin with CORS headers and a session', async () => {
    const res = await hs('https://shop.example');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(res.headers.get('vary')).toContain('Origin');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.body.agent).toMatchObject({ name: 'Test account assistant', accent_color: expect.stringMatching(/^#[0-9a-f]{6}$/) });
    expect(res.body.frame_url).toBe(`${hub.url}/widget/v1/frame?k=${key.id}&o=${encodeURIComponent('https://shop.example')}`);
    expect(res.body.frame_url).not.toContain(res.body.session_token);
    const claims = decodeJwt(res.body.session_token);
    expect(claims).toMatchObject({ kid: key.id, acc: hub.account.account_id, agt: hub.account.agent_id, org: 'https://shop.example' });
    expect(claims.exp! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(600);
    expect(typeof claims.jti).toBe('string');
    expect(new Date(res.body.expires_at).getTime()).toBe(claims.exp! * 1000);
  });

  it('allows localhost:3000 over http', async () => {
    expect((await hs('http://localhost:3000')).status).toBe(200);
  });

  it('refuses a garbage key without naming the allowlist', async () => {
    const res = await hs('https://shop.example', 'pk_live_nope');
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('key_malformed');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('refuses a body that is not JSON as key_malformed', async () => {
    const res = await handshake('client_key=pk_live_x', 'https://shop.example');
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('key_malformed');
  });

  it('refuses a well-formed key that does not exist', async () => {
    const other = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'gone' } })).body;
    await hub.api(`/api/v1/widget-keys/${other.id}`, { method: 'DELETE' });
    const res = await hs('https://shop.example', other.key);
    expect(res.status).toBe(404);
    expect(res.body.error.type).toBe('key_not_found');
    expect(res.body.error.message).toContain(other.key.slice(-8));
  });

  it('refuses an unlisted origin, naming the origin and the key tail but not the allowlist', async () => {
    const res = await hs('https://evil.example');
    expect(res.status).toBe(403);
    expect(res.body.error.type).toBe('origin_not_allowed');
    expect(res.body.error.message).toContain('https://evil.example');
    expect(res.body.error.message).toContain(key.key_last8);
    expect(res.body.error.message).not.toContain('shop.example');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://evil.example');
  });

  it.each([
    ['no Origin header', undefined],
    ['Origin null', 'null'],
    ['a malformed origin', 'https://shop.example/'],
  ])('refuses %s as origin_missing without CORS grant', async (_name, origin) => {
    const res = await hs(origin);
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('origin_missing');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses every origin when the allowlist is empty, saying so', async () => {
    const empty = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'empty' } })).body;
    const res = await hs('https://shop.example', empty.key);
    expect(res.status).toBe(403);
    expect(res.body.error.type).toBe('origin_not_allowed');
    expect(res.body.error.message).toContain('empty domain allowlist');
  });

  it('sees a revocation and an allowlist change on the very next handshake', async () => {
    const k = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'rev', domain_allowlist: ['a.example'] } })).body;
    expect((await hs('https://a.example', k.key)).status).toBe(200);
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { disabled: true } });
    const disabled = await hs('https://a.example', k.key);
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.type).toBe('key_disabled');
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { disabled: false, domain_allowlist: ['b.example'] } });
    expect((await hs('https://a.example', k.key)).body.error.type).toBe('origin_not_allowed');
    expect((await hs('https://b.example', k.key)).status).toBe(200);
  });

  it('records last_used_at on first use', async () => {
    const k = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'use', domain_allowlist: ['u.example'] } })).body;
    expect((await hs('https://u.example', k.key)).status).toBe(200);
    const row = await hub.store.db.selectFrom('widget_keys').select('last_used_at').where('id', '=', k.id).executeTakeFirstOrThrow();
    expect(row.last_used_at).toEqual(expect.any(String));
  });

  it('limits handshakes per key and address with 429 and Retry-After', async () => {
    const k = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'rl', domain_allowlist: ['rl.example'] } })).body;
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await hs('https://rl.example', k.key);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(last!.body.error.type).toBe('rate_limited');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('access-control-allow-origin')).toBe('https://rl.example');
  });
});
