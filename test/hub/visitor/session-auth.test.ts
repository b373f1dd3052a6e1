/**
 * "May this visitor use this key here?", asked again on every call of the frame: a valid session, then
 * (from the key cache, so a revocation stops open widgets too) a key still there, still enabled, and an
 * origin still allowed. Over HTTP, against the frame's API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDSHAKE_PATH } from '../../../src/protocol/handshake.js';
import { WIDGET_API } from '../../../src/protocol/widget-api.js';
import { call } from '../../helpers/http.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

const ORIGIN = 'https://shop.example';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub('sqlite', { sessionRateLimit: 3 });
});
afterAll(() => hub.close());

async function session(allowlist = [ORIGIN.slice('https://'.length)]) {
  const key = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'k', domain_allowlist: allowlist } })).body;
  const hs = await call(hub.url, 'POST', HANDSHAKE_PATH, { body: JSON.stringify({ client_key: key.key }), headers: { 'content-type': 'text/plain', origin: ORIGIN } });
  expect(hs.status).toBe(200);
  return { key, token: hs.body.session_token as string };
}
const converse = (token: string | null) =>
  call(hub.url, 'POST', WIDGET_API.conversations, { body: {}, headers: { origin: ORIGIN, ...(token === null ? {} : { authorization: `Bearer ${token}` }) } });
const patch = (id: string, body: unknown) => hub.api(`/api/v1/widget-keys/${id}`, { method: 'PATCH', body });

describe('visitor session', () => {
  it('lets a fresh session start a conversation', async () => {
    const { token } = await session();
    expect((await converse(token)).status).toBe(201);
  });

  it.each([
    ['no token', null],
    ['a token that is no JWT', 'not-a-token'],
    ['an empty bearer', ''],
  ])('refuses %s as session_invalid, saying to reload', async (_name, token) => {
    const res = await converse(token);
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ type: 'session_invalid', message: 'This chat session has expired or is invalid; reload the page to start a new one' });
  });

  it('limits each session on its own', async () => {
    const a = await session();
    const b = await session();
    const statuses = [];
    let last;
    for (let i = 0; i < 4; i++) statuses.push((last = await converse(a.token)).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(last!.body.error.message).toMatch(/^Too many chat requests in this session: at most 3 per minute/);
    expect((await converse(b.token)).status).toBe(201);
  });

  it('refuses a session whose key was deleted', async () => {
    const { key, token } = await session();
    await hub.store.db.deleteFrom('widget_keys').where('id', '=', key.id).execute();
    hub.ctx.keys.invalidate(null);
    const res = await converse(token);
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ type: 'key_not_found', message: 'The widget key of this session was deleted' });
  });

  it('refuses a session whose key was disabled, naming its tail', async () => {
    const { key, token } = await session();
    await patch(key.id, { disabled: true });
    const res = await converse(token);
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ type: 'key_disabled', message: `Widget key …${key.key_last8} has been disabled by the site owner` });
  });

  it('refuses a session whose origin left the allowlist', async () => {
    const { key, token } = await session();
    await patch(key.id, { domain_allowlist: ['other.example'] });
    const res = await converse(token);
    expect(res.status).toBe(403);
    expect(res.body.error.type).toBe('origin_not_allowed');
    expect(res.body.error.message).toBe(`Origin ${ORIGIN} is not in the domain allowlist of key …${key.key_last8}. Add it to the key's domain_allowlist`);
  });

  it('refuses a session once its key allows no site at all', async () => {
    const { key, token } = await session();
    await patch(key.id, { domain_allowlist: [] });
    const res = await converse(token);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      `Origin ${ORIGIN} is not allowed: key …${key.key_last8} has an empty domain allowlist, which allows no site. Add your site to the key's domain_allowlist`,
    );
  });
});
