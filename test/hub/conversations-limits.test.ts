/**
 * Limits follow what costs (issue 10 item 1): per conversation, per address and per widget key, on
 * posting messages and on creating conversations. A renewed session renews nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HubConfig } from '../../src/hub/config.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake, widgetCall } from '../helpers/widget.js';

const OFF = { sessionRateLimit: 10_000, messageRateLimitIp: 0, messageRateLimitKey: 0, messageRateLimitConversation: 0, conversationRateLimitIp: 0, conversationRateLimitKey: 0 };

describe.each(DIALECTS)('conversation limits on %s', (dialect) => {
  let hub: TestHub;
  afterEach(() => hub?.close());

  const start = async (limits: Partial<HubConfig>) => (hub = await startTestHub(dialect, { ...OFF, ...limits }));
  const session = async (site = 'limits.example') => {
    const k = await createKey(hub, [site]);
    return { key: k, token: (await handshake(hub, k.key, `https://${site}`)).body.session_token as string };
  };
  const newConversation = (token: string) => widgetCall(hub, token, 'POST', WIDGET_API.conversations, {});
  const post = (token: string, id: string, text: string, client_message_id?: string) =>
    widgetCall(hub, token, 'POST', WIDGET_API.messages(id), { text, ...(client_message_id ? { client_message_id } : {}) });

  it('keeps the per-conversation budget across a session refresh and a new handshake', async () => {
    await start({ messageRateLimitConversation: 3 });
    const { key, token } = await session();
    const conv = (await newConversation(token)).body.id;
    for (let i = 0; i < 3; i++) expect((await post(token, conv, `m${i}`)).status).toBe(202);
    const refreshed = (await widgetCall(hub, token, 'POST', WIDGET_API.session, {})).body.session_token;
    const refused = await post(refreshed, conv, 'one more');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limited' });
    expect(refused.body.error.message).toContain('messages in this conversation');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const fresh = (await handshake(hub, key.key, 'https://limits.example')).body.session_token;
    expect((await post(fresh, conv, 'and another')).status).toBe(429);
  });

  it('limits messages per address across conversations and keys', async () => {
    await start({ messageRateLimitIp: 4 });
    const statuses: number[] = [];
    for (const site of ['a.example', 'b.example']) {
      const { token } = await session(site);
      const conv = (await newConversation(token)).body.id;
      for (let i = 0; i < 3; i++) statuses.push((await post(token, conv, `m${i}`)).status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
  });

  it('limits messages per widget key, whatever the conversation', async () => {
    await start({ messageRateLimitKey: 3 });
    const a = await session('a.example');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(a.token, (await newConversation(a.token)).body.id, 'hi')).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const b = await session('b.example');
    expect((await post(b.token, (await newConversation(b.token)).body.id, 'hi')).status).toBe(202);
  });

  it('counts no retry of a client_message_id', async () => {
    await start({ messageRateLimitConversation: 2 });
    const { token } = await session();
    const conv = (await newConversation(token)).body.id;
    expect((await post(token, conv, 'hello', 'c-1')).status).toBe(202);
    for (let i = 0; i < 3; i++) expect((await post(token, conv, 'hello', 'c-1')).status).toBe(200);
    expect((await post(token, conv, 'second')).status).toBe(202);
    expect((await post(token, conv, 'third')).status).toBe(429);
  });

  it('limits new conversations per address across refreshed sessions', async () => {
    await start({ conversationRateLimitIp: 2 });
    const { token } = await session();
    expect((await newConversation(token)).status).toBe(201);
    const refreshed = (await widgetCall(hub, token, 'POST', WIDGET_API.session, {})).body.session_token;
    expect((await newConversation(refreshed)).status).toBe(201);
    const other = await session('other.example');
    const refused = await newConversation(other.token);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toContain('new conversations from this address');
  });

  it('limits new conversations per widget key', async () => {
    await start({ conversationRateLimitKey: 1 });
    const a = await session('a.example');
    expect((await newConversation(a.token)).status).toBe(201);
    expect((await newConversation(a.token)).status).toBe(429);
    const b = await session('b.example');
    expect((await newConversation(b.token)).status).toBe(201);
  });
});
