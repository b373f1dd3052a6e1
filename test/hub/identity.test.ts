/**
 * Verified visitors over HTTP on both databases (docs/identity.md): the key's identity settings and
 * secret, every refusal of a visitor token with the check it names, rotation with its grace period,
 * `required` keys, conversations that follow the visitor, and the agent told who writes.
 */
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kataven } from '../../src/client/kataven.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake, widgetCall } from '../helpers/widget.js';
import { agentServer } from './conversations/agent-server.js';

const ROOMY = { sessionRateLimit: 10_000, messageRateLimitIp: 0, messageRateLimitKey: 0, messageRateLimitConversation: 0, conversationRateLimitIp: 0, conversationRateLimitKey: 0 };
const SHOP = 'https://shop.example';
const OTHER = 'https://other.example';

interface IdentityKey { id: string; key: string; identity_secret: string }

/** A token as the site's backend signs it; `claims` and `header` override the defaults. */
async function visitorToken(secret: string, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'user_1', iat: now, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(new TextEncoder().encode(secret));
}

describe.each(DIALECTS)('verified visitors on %s', (dialect) => {
  let hub: TestHub;
  let agent: Awaited<ReturnType<typeof agentServer>>;
  let key: IdentityKey;

  beforeAll(async () => {
    hub = await startTestHub(dialect, { webhookTimeoutMs: 2_000, ...ROOMY });
    agent = await agentServer({ kind: 'json', reply: 'Hello' });
    const created = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Hooked', webhook_url: agent.url } });
    key = (await createKey(hub, ['shop.example', 'other.example'], { identity: 'optional', agent_id: created.body.id })) as unknown as IdentityKey;
  });
  afterAll(async () => {
    await agent.stop();
    await hub.close();
  });

  const sessionFor = async (k: { key: string }, origin = SHOP) => (await handshake(hub, k.key, origin)).body.session_token as string;
  const identify = (session: string, token: string, conversationId?: string) =>
    widgetCall(hub, session, 'POST', WIDGET_API.identify, { token, ...(conversationId ? { conversation_id: conversationId } : {}) });
  const sign = (user: { id: string; name?: string; email?: string }, k: IdentityKey = key) => Kataven.identity.sign({ secret: k.identity_secret, keyId: k.id, user });

  it('returns the identity secret once, by the create that turns identity on, and never in a list', async () => {
    expect(key.identity_secret).toMatch(/^idsec_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ identity: 'optional', previous_identity_secret_expires_at: null });
    const off = await createKey(hub, ['shop.example']);
    expect(off).toMatchObject({ identity: 'off' });
    expect(off).not.toHaveProperty('identity_secret');
    const listed = await hub.api('/api/v1/widget-keys?limit=100');
    expect(JSON.stringify(listed.body)).not.toContain('idsec_');
  });

  it('returns a new secret from the update that turns identity on, none from one that keeps it on', async () => {
    const k = await createKey(hub, ['shop.example']);
    const on = await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { identity: 'required' } });
    expect(on.status).toBe(200);
    expect(on.body.identity_secret).toMatch(/^idsec_/);
    const again = await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { identity: 'optional' } });
    expect(again.body).toMatchObject({ identity: 'optional' });
    expect(again.body).not.toHaveProperty('identity_secret');
  });

  it('keeps the identity secret sealed in the database', async () => {
    const row = await hub.store.db.selectFrom('widget_keys').select('identity_secret').where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(row.identity_secret).toMatch(/^v1\./);
    expect(row.identity_secret).not.toContain(key.identity_secret.slice(6));
  });

  it('binds a session to a valid token and tells the agent who writes', async () => {
    const session = await sessionFor(key);
    const res = await identify(session, await sign({ id: 'user_agent', name: 'Ada', email: 'ada@shop.example' }));
    expect(res.status).toBe(200);
    expect(res.body.visitor).toEqual({ id: 'user_agent', name: 'Ada', email: 'ada@shop.example' });
    expect(Date.parse(res.body.identity_expires_at)).toBeGreaterThan(Date.now());
    const verified = res.body.session_token as string;
    const conv = await widgetCall(hub, verified, 'POST', WIDGET_API.conversations, {});
    const sent = agent.requests.length;
    expect((await widgetCall(hub, verified, 'POST', WIDGET_API.messages(conv.body.id), { text: 'Where is my order?' })).status).toBe(202);
    await expect.poll(() => agent.requests.length).toBeGreaterThan(sent);
    expect(agent.requests.at(-1)!.body.visitor).toEqual({ verified: true, id: 'user_agent', name: 'Ada', email: 'ada@shop.example' });
  });

  it('tells the agent an anonymous visitor is not verified', async () => {
    const session = await sessionFor(key);
    const conv = await widgetCall(hub, session, 'POST', WIDGET_API.conversations, {});
    const sent = agent.requests.length;
    await widgetCall(hub, session, 'POST', WIDGET_API.messages(conv.body.id), { text: 'Hi' });
    await expect.poll(() => agent.requests.length).toBeGreaterThan(sent);
    expect(agent.requests.at(-1)!.body.visitor).toEqual({ verified: false });
  });

  it.each([
    ['a forged signature', () => visitorToken('idsec_forgedforgedforgedforgedforgedforgedforged', { aud: key.id }), 'identity_signature'],
    ['alg none', async () => new UnsecuredJWT({ sub: 'user_1', aud: key.id }).setIssuedAt().setExpirationTime('10m').encode(), 'identity_signature'],
    ['an HS512 token', () => visitorToken(key.identity_secret, { aud: key.id }, { alg: 'HS512' }), 'identity_signature'],
    ['a wrong aud', () => visitorToken(key.identity_secret, { aud: 'wk_someotherkey' }), 'identity_audience'],
    ['no aud', () => visitorToken(key.identity_secret, {}), 'identity_audience'],
    ['an expired token', () => visitorToken(key.identity_secret, { aud: key.id, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }), 'identity_expiry'],
    ['exp more than an hour after iat', () => visitorToken(key.identity_secret, { aud: key.id, exp: Math.floor(Date.now() / 1000) + 7200 }), 'identity_expiry'],
    ['no exp', async () => new SignJWT({ sub: 'u', aud: key.id }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().sign(new TextEncoder().encode(key.identity_secret)), 'identity_expiry'],
    ['no sub', () => visitorToken(key.identity_secret, { aud: key.id, sub: undefined }), 'identity_claims'],
    ['garbage', async () => 'not.a.jwt', 'identity_signature'],
  ])('refuses %s, naming the check', async (_name, make, type) => {
    const res = await identify(await sessionFor(key), await make());
    expect(res.status).toBe(403);
    expect(res.body.error.type).toBe(type);
    expect(res.body.error.message.length).toBeGreaterThan(20);
  });

  it("refuses a token for another key, even one signed with that key's own secret", async () => {
    const other = (await createKey(hub, ['shop.example'], { identity: 'optional' })) as unknown as IdentityKey;
    const res = await identify(await sessionFor(key), await sign({ id: 'user_1' }, other));
    expect(res.status).toBe(403);
    expect(res.body.error.type).toBe('identity_audience');
    expect(res.body.error.message).toContain(key.id);
  });

  it('refuses a token replayed on another origin, and takes it again on its own', async () => {
    const token = await sign({ id: 'user_replay' });
    expect((await identify(await sessionFor(key, SHOP), token)).status).toBe(200);
    const replay = await identify(await sessionFor(key, OTHER), token);
    expect(replay.status).toBe(403);
    expect(replay.body.error).toMatchObject({ type: 'identity_origin' });
    expect(replay.body.error.message).toContain(SHOP);
    expect((await identify(await sessionFor(key, SHOP), token)).status).toBe(200);
  });

  it('refuses tokens on a key with identity off', async () => {
    const off = await createKey(hub, ['shop.example']);
    const res = await identify(await sessionFor(off), await sign({ id: 'user_1' }));
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('identity_off');
  });

  it('rotates the secret: the old one verifies during the grace period, not after one of 0', async () => {
    const k = (await createKey(hub, ['shop.example'], { identity: 'optional' })) as unknown as IdentityKey;
    const old = { ...k };
    const rotated = await hub.api(`/api/v1/widget-keys/${k.id}/identity-secret`, { method: 'POST', body: { grace_period_s: 3600 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.identity_secret).toMatch(/^idsec_/);
    expect(rotated.body.identity_secret).not.toBe(old.identity_secret);
    expect(Date.parse(rotated.body.previous_identity_secret_expires_at) - Date.now()).toBeGreaterThan(3500_000);
    const fresh = { ...k, identity_secret: rotated.body.identity_secret as string };
    expect((await identify(await sessionFor(k), await sign({ id: 'u' }, old))).status).toBe(200);
    expect((await identify(await sessionFor(k), await sign({ id: 'u' }, fresh))).status).toBe(200);
    const now = await hub.api(`/api/v1/widget-keys/${k.id}/identity-secret`, { method: 'POST', body: { grace_period_s: 0 } });
    expect(now.body.previous_identity_secret_expires_at).toBeNull();
    const stale = await identify(await sessionFor(k), await sign({ id: 'u' }, fresh));
    expect(stale.body.error.type).toBe('identity_signature');
    expect((await identify(await sessionFor(k), await sign({ id: 'u' }, { ...k, identity_secret: now.body.identity_secret }))).status).toBe(200);
  });

  it('refuses to rotate the secret of a key with identity off, and another account\'s key', async () => {
    const off = await createKey(hub, ['shop.example']);
    const res = await hub.api(`/api/v1/widget-keys/${off.id}/identity-secret`, { method: 'POST', body: {} });
    expect(res.status).toBe(409);
    expect(res.body.error.type).toBe('identity_off');
    expect((await hub.api('/api/v1/widget-keys/wk_nosuchkey/identity-secret', { method: 'POST', body: {} })).status).toBe(404);
  });

  it('required: no conversation without a token, one with it', async () => {
    const k = (await createKey(hub, ['shop.example'], { identity: 'required' })) as unknown as IdentityKey;
    const hs = await handshake(hub, k.key, SHOP);
    expect(hs.body.identity).toBe('required');
    const refused = await widgetCall(hub, hs.body.session_token, 'POST', WIDGET_API.conversations, {});
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe('identity_missing');
    const verified = (await identify(hs.body.session_token, await sign({ id: 'user_req' }, k))).body.session_token;
    expect((await widgetCall(hub, verified, 'POST', WIDGET_API.conversations, {})).status).toBe(201);
  });

  it('adopts the anonymous conversation on identify; the same user elsewhere sees it, most recent first; logout hides it', async () => {
    const anonymous = await sessionFor(key);
    const older = await widgetCall(hub, (await identify(await sessionFor(key), await sign({ id: 'user_follow' }))).body.session_token, 'POST', WIDGET_API.conversations, {});
    const conv = await widgetCall(hub, anonymous, 'POST', WIDGET_API.conversations, {});
    await widgetCall(hub, anonymous, 'POST', WIDGET_API.messages(conv.body.id), { text: 'Before sign-in' });
    const signedIn = await identify(anonymous, await sign({ id: 'user_follow', name: 'Ada' }), conv.body.id);
    expect(signedIn.body.conversations.map((c: { id: string }) => c.id)).toEqual([conv.body.id, older.body.id]);
    // Another browser: a new session on the other origin, the same user.
    const elsewhere = await identify(await sessionFor(key, OTHER), await sign({ id: 'user_follow' }));
    expect(elsewhere.body.conversations[0].id).toBe(conv.body.id);
    const history = await widgetCall(hub, elsewhere.body.session_token, 'GET', WIDGET_API.messages(conv.body.id));
    expect(history.body.data.map((m: { text: string }) => m.text)).toContain('Before sign-in');
    // The anonymous session it started in, another user and a logged-out session see none of it.
    expect((await widgetCall(hub, anonymous, 'GET', WIDGET_API.messages(conv.body.id))).status).toBe(404);
    const stranger = (await identify(await sessionFor(key), await sign({ id: 'user_stranger' }))).body.session_token;
    expect((await widgetCall(hub, stranger, 'GET', WIDGET_API.messages(conv.body.id))).status).toBe(404);
    const out = await widgetCall(hub, signedIn.body.session_token, 'POST', WIDGET_API.logout, {});
    expect(out.status).toBe(200);
    expect((await widgetCall(hub, out.body.session_token, 'GET', WIDGET_API.messages(conv.body.id))).status).toBe(404);
    expect((await widgetCall(hub, signedIn.body.session_token, 'GET', WIDGET_API.messages(conv.body.id))).status).toBe(200);
  });

  it("does not adopt another origin's or another user's conversation", async () => {
    const onOther = await sessionFor(key, OTHER);
    const theirs = await widgetCall(hub, onOther, 'POST', WIDGET_API.conversations, {});
    const res = await identify(await sessionFor(key, SHOP), await sign({ id: 'user_thief' }), theirs.body.id);
    expect(res.body.conversations).toEqual([]);
    expect((await widgetCall(hub, onOther, 'GET', WIDGET_API.messages(theirs.body.id))).status).toBe(200);
  });

  it('keeps the visitor across a session refresh', async () => {
    const verified = (await identify(await sessionFor(key), await sign({ id: 'user_refresh' }))).body.session_token;
    const conv = await widgetCall(hub, verified, 'POST', WIDGET_API.conversations, {});
    const refreshed = await widgetCall(hub, verified, 'POST', WIDGET_API.session, {});
    expect((await widgetCall(hub, refreshed.body.session_token, 'GET', WIDGET_API.messages(conv.body.id))).status).toBe(200);
  });

  it("filters the Admin API's conversations by visitor_id", async () => {
    const verified = (await identify(await sessionFor(key), await sign({ id: 'user_admin' }))).body.session_token;
    const conv = await widgetCall(hub, verified, 'POST', WIDGET_API.conversations, {});
    const listed = await hub.api('/api/v1/conversations?visitor_id=user_admin');
    expect(listed.body.data.map((c: { id: string }) => c.id)).toEqual([conv.body.id]);
    expect(listed.body.data[0].visitor_id).toBe('user_admin');
    expect((await hub.api('/api/v1/conversations?visitor_id=nobody')).body.data).toEqual([]);
  });
});
