/**
 * Retention over real HTTP on both databases: with KATAVEN_RETENTION_DAYS, a pass erases exactly the
 * conversations idle for longer (by last activity: creation or latest message), with their messages, as
 * DELETE does; idempotency records go after 24 h; the erased rows are counted in the metrics. Time is
 * mocked (Date only): the hub, its database and HTTP are real.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { visitorConversation } from './visitor-conversation.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

describe.each(DIALECTS)('retention on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(dialect, { retentionDays: 7, metricsPort: 0, conversationRateLimitIp: 0, adminRateLimit: 0 });
  });
  afterAll(() => hub?.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  const at = (ms: number) => vi.setSystemTime(ms);
  const start = () => visitorConversation(hub.url, hub.account.secret_key);
  /** A person's message in the conversation (no agent turn follows it). */
  const say = async (id: string, text: string) => expect((await hub.api(`/api/v1/conversations/${id}/messages`, { method: 'POST', body: { text } })).status).toBe(201);
  const status = async (id: string) => (await hub.api(`/api/v1/conversations/${id}`)).status;
  const erasedMetric = async (record: string) => {
    const port = (hub.metricsServer!.address() as AddressInfo).port;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(new RegExp(`^kataven_retention_erased_total\\{record="${record}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  it('erases the conversations idle for more than the retention days, and only those', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0);
    const idle = await start();
    await say(idle.id, 'old question');
    await say(idle.id, 'old answer');
    const revived = await start();
    await say(revived.id, 'old too');
    const empty = await start();
    // Created just within the window: its creation is its last activity.
    at(T0 + 2 * DAY + 1);
    const recent = await start();
    at(T0 + 8 * DAY);
    await say(revived.id, 'back again');
    const [conversations, messages] = [await erasedMetric('conversations'), await erasedMetric('messages')];

    // Cutoff: T0 + 2 days. idle and empty were last active at T0; recent at T0 + 2 days + 1 ms.
    const erased = await hub.expireNow(T0 + 9 * DAY);
    expect(erased).toMatchObject({ conversations: 2, messages: 2 });
    expect([await status(idle.id), await status(empty.id), await status(revived.id), await status(recent.id)]).toEqual([404, 404, 200, 200]);
    const left = await hub.store.db.selectFrom('messages').select('conversation_id').where('conversation_id', 'in', [idle.id, revived.id]).execute();
    expect(left.map((m) => m.conversation_id)).toEqual([revived.id, revived.id]);
    expect(await erasedMetric('conversations')).toBe(conversations + 2);
    expect(await erasedMetric('messages')).toBe(messages + 2);
    // A second pass finds nothing more.
    expect(await hub.expireNow(T0 + 9 * DAY)).toMatchObject({ conversations: 0, messages: 0 });
  });

  it('erases in batches until nothing older is left', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0 - 100 * DAY);
    const { widget_key_id, agent_id } = await hub.store.db.selectFrom('conversations').select(['widget_key_id', 'agent_id']).executeTakeFirstOrThrow();
    const old = new Date(T0 - 100 * DAY).toISOString();
    const rows = Array.from({ length: 250 }, (_, i) => ({ id: `conv_batch_${String(i).padStart(3, '0')}`, account_id: hub.account.account_id, widget_key_id, agent_id, origin: 'https://shop.example', created_at: old }));
    await hub.store.db.insertInto('conversations').values(rows).execute();
    const erased = await hub.expireNow(T0 - 90 * DAY);
    expect(erased.conversations).toBe(250);
    expect(await hub.store.db.selectFrom('conversations').select('id').where('id', 'like', 'conv_batch_%').execute()).toEqual([]);
  });

  it('expires idempotency records after 24 hours, and a key may then be used again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0 + 20 * DAY);
    const create = (name: string) => hub.api('/api/v1/widget-keys', { method: 'POST', body: { name, domain_allowlist: ['idem.example'] }, headers: { 'idempotency-key': 'retention-idem-1' } });
    expect((await create('first')).status).toBe(201);
    expect((await hub.expireNow(T0 + 21 * DAY - 1)).idempotency_keys).toBe(0);
    expect((await create('other body')).status).toBe(409);
    const before = await erasedMetric('idempotency_keys');
    expect((await hub.expireNow(T0 + 21 * DAY + 1)).idempotency_keys).toBe(1);
    expect(await erasedMetric('idempotency_keys')).toBe(before + 1);
    expect(await hub.store.db.selectFrom('idempotency_keys').select('idem_key').where('idem_key', '=', 'retention-idem-1').execute()).toEqual([]);
  });
});

describe('retention off', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('sqlite', { conversationRateLimitIp: 0 });
  });
  afterAll(() => hub?.close());

  it('keeps every conversation when KATAVEN_RETENTION_DAYS is not set', async () => {
    const conv = await visitorConversation(hub.url, hub.account.secret_key);
    expect(await hub.expireNow(Date.now() + 10_000 * DAY)).toMatchObject({ conversations: 0, messages: 0 });
    expect((await hub.api(`/api/v1/conversations/${conv.id}`)).status).toBe(200);
  });
});
