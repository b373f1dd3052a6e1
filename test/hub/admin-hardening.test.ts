/**
 * The Admin API under attack and at work: failed authentications limited per address, an agent's update
 * clearing only the cached keys it answers for, and conversation ids kept out of request logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, type NewAccount } from '../../src/hub/accounts/repo.js';
import { generateKey } from '../../src/hub/keys/format.js';
import { SECRET_KEY_PREFIX } from '../../src/protocol/keys.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { call } from '../helpers/http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { logLines } from '../helpers/log-lines.js';
import { createKey, createWidgetKey, handshake } from '../helpers/widget.js';

const FAILURES = 3;
const SITE = 'https://shop.example';

describe.each(DIALECTS)('the Admin API on %s', (dialect) => {
  let hub: TestHub;
  let other: NewAccount;
  beforeAll(async () => {
    hub = await startTestHub(dialect, { adminAuthFailureLimit: FAILURES, trustProxy: '127.0.0.1' });
    other = await createAccount(hub.store.db, 'Other');
  });
  afterAll(() => hub.close());

  const asAddress = (ip: string, key: string | null) => call(hub.url, 'GET', '/api/v1/agents', { key, headers: { 'x-forwarded-for': ip } });

  it('limits failed authentications per address, garbage and wrong keys alike, then refuses before any lookup', async () => {
    const ip = '203.0.113.1';
    expect((await asAddress(ip, 'sk_live_garbage')).status).toBe(401);
    expect((await asAddress(ip, null)).status).toBe(401);
    expect((await asAddress(ip, generateKey(SECRET_KEY_PREFIX))).status).toBe(401);
    const refused = await asAddress(ip, generateKey(SECRET_KEY_PREFIX));
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toContain('failed Admin API authentications');
    // Over the limit, even the right key is refused from there (no lookup is made), but not elsewhere.
    expect((await asAddress(ip, hub.account.secret_key)).status).toBe(429);
    expect((await asAddress('203.0.113.2', hub.account.secret_key)).status).toBe(200);
  });

  it('counts only failures: the right key, however often, is never limited by it', async () => {
    for (let i = 0; i < FAILURES * 3; i++) expect((await asAddress('203.0.113.3', hub.account.secret_key)).status).toBe(200);
  });

  it("updates an agent's keys at once and leaves every other cached key alone", async () => {
    const mine = await createKey(hub, ['shop.example']);
    const agent = (await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Sales' } })).body;
    const sales = await createKey(hub, ['shop.example'], { agent_id: agent.id });
    const theirs = await createWidgetKey(hub.url, other.secret_key, ['shop.example']);
    for (const k of [mine, sales, theirs]) expect((await handshake(hub, k.key, SITE)).status).toBe(200);
    // Emptied behind the hub's back (no invalidation): a key still cached keeps answering, one dropped from
    // the cache is read again and refused.
    await hub.store.db.updateTable('widget_keys').set({ domain_allowlist: '[]' }).where('id', 'in', [sales.id, theirs.id]).execute();
    const renamed = await hub.api(`/api/v1/agents/${hub.account.agent_id}`, { method: 'PATCH', body: { name: 'Renamed' } });
    expect(renamed.status).toBe(200);
    const answer = await handshake(hub, mine.key, SITE);
    expect(answer.body.agent.name).toBe('Renamed');
    expect((await handshake(hub, sales.key, SITE)).status, "another agent's key stays cached").toBe(200);
    expect((await handshake(hub, theirs.key, SITE)).status, "another account's key stays cached").toBe(200);
    // Updating the agent that answers for `sales` drops it, so the change shows.
    await hub.api(`/api/v1/agents/${agent.id}`, { method: 'PATCH', body: { greeting: 'Hello' } });
    expect((await handshake(hub, sales.key, SITE)).status).toBe(403);
  });
});

describe('request logs', () => {
  let hub: TestHub;
  const log = logLines();
  beforeAll(async () => {
    hub = await startTestHub('sqlite', { logLevel: 'trace' }, { logStream: log.stream });
  });
  afterAll(() => hub.close());

  it('never carry a conversation id, even at trace level', async () => {
    const key = await createKey(hub, ['shop.example']);
    const token = (await handshake(hub, key.key, SITE)).body.session_token;
    const conversation = (await call(hub.url, 'POST', WIDGET_API.conversations, { key: token, body: {} })).body;
    expect(conversation.id).toMatch(/^conv_/);
    await call(hub.url, 'GET', WIDGET_API.messages(conversation.id), { key: token });
    await call(hub.url, 'GET', `${WIDGET_API.messages(conversation.id)}/nothing-here`, { key: token });
    const text = log.lines.join('\n');
    expect(text).toContain('/conversations/[redacted]/messages');
    expect(text).not.toContain(conversation.id);
  });
});
