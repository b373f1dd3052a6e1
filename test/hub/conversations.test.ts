import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhooks } from '../../src/client/webhooks.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, TEST_SECRET, type TestHub } from '../helpers/hub.js';
import { createKey, handshake, widgetCall } from '../helpers/widget.js';
import { agentServer } from './conversations/agent-server.js';
import { openEvents, textOf } from './conversations/events-client.js';

/** Generous limits: these tests post many messages from one address; limits have their own file. */
const ROOMY = { sessionRateLimit: 10_000, messageRateLimitIp: 0, messageRateLimitKey: 0, messageRateLimitConversation: 0, conversationRateLimitIp: 0, conversationRateLimitKey: 0 };

describe.each(DIALECTS)('conversations on %s', (dialect) => {
  let hub: TestHub;
  let token: string;
  beforeAll(async () => {
    hub = await startTestHub(dialect, { webhookTimeoutMs: 2_000, ...ROOMY });
    const key = await createKey(hub, ['site.example']);
    token = (await handshake(hub, key.key, 'https://site.example')).body.session_token;
  });
  afterAll(() => hub.close());

  /** A key on an agent with this webhook (or the demo agent), a session and a new conversation. */
  async function visitor(webhookUrl?: string) {
    let t = token;
    if (webhookUrl) {
      const agent = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Hooked', webhook_url: webhookUrl } });
      const k = await createKey(hub, ['hook.example'], { agent_id: agent.body.id });
      t = (await handshake(hub, k.key, 'https://hook.example')).body.session_token;
    }
    const conv = await widgetCall(hub, t, 'POST', WIDGET_API.conversations, {});
    const id = conv.body.id as string;
    return {
      token: t,
      id,
      post: (text: string, client_message_id?: string, extra: Record<string, unknown> = {}) =>
        widgetCall(hub, t, 'POST', WIDGET_API.messages(id), { text, ...(client_message_id ? { client_message_id } : {}), ...extra }),
      list: () => widgetCall(hub, t, 'GET', WIDGET_API.messages(id)),
      events: (lastEventId?: string) => openEvents(hub.url, t, id, lastEventId),
    };
  }

  const agentMessages = (events: { event: string; data: any }[]) => events.filter((e) => e.data.message?.role === 'agent' || e.data.message_id);

  it('takes a message with the context the page reported, and refuses one that is no object', async () => {
    const v = await visitor();
    const sent = await v.post('With a cart', undefined, { context: { cart: { items: 2 }, page: '/tents' } });
    expect(sent.status).toBe(202);
    expect(sent.body.message).toMatchObject({ role: 'visitor', text: 'With a cart' });
    // null is no refusal: it clears the reported context (PostMessageBody).
    for (const context of ['cart', ['cart']]) {
      const refused = await v.post('Bad context', undefined, { context });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ type: 'invalid_request', message: expect.stringContaining('context') });
    }
  });

  it('refuses every widget call without a valid session', async () => {
    for (const t of [null, 'not-a-jwt', token.slice(0, -4) + 'AAAA']) {
      const res = await widgetCall(hub, t, 'POST', WIDGET_API.conversations, {});
      expect(res.status).toBe(401);
      expect(res.body.error.type).toBe('session_invalid');
    }
    const v = await visitor();
    const events = await openEvents(hub.url, 'not-a-jwt', v.id);
    expect(events.status).toBe(401);
  });

  it('stores a round trip with the demo agent, streamed, and loads it back', async () => {
    const v = await visitor();
    const stream = await v.events();
    const sent = await v.post('  Hello there  ');
    expect(sent.status).toBe(202);
    expect(sent.body.message).toMatchObject({ role: 'visitor', text: 'Hello there', status: 'completed', author_name: null });
    const events = await stream.until((es) => es.some((e) => e.event === 'message.completed'));
    stream.close();
    const completed = events.find((e) => e.event === 'message.completed')!.data.message;
    expect(completed).toMatchObject({ role: 'agent', status: 'completed' });
    expect(completed.text).toContain('Hello there');
    // The deltas add up to the stored text: the reader's copy is the final one.
    expect(textOf(events.slice(0, -1), completed.id)).toBe(completed.text);
    expect(events.filter((e) => e.event === 'message.delta').length).toBeGreaterThan(1);
    const history = await v.list();
    expect(history.body.data).toEqual([sent.body.message, completed]);
    expect(history.body.last_event_id).toBe(events.at(-1)!.id);
  });

  it('answers the post before the agent answers, then streams the reply as it comes', async () => {
    const agent = await agentServer({ kind: 'stream' });
    try {
      const v = await visitor(agent.url);
      const stream = await v.events();
      const sent = await v.post('Question?');
      expect(sent.status).toBe(202);
      const s = await agent.nextStream();
      // The agent has the question and has not answered: the visitor already has its 202.
      expect(s.body).toMatchObject({ type: 'message.created', conversation_id: v.id, message: { text: 'Question?' }, context: { origin: 'https://hook.example' } });
      s.status('Searching the catalogue…');
      await stream.until((es) => es.some((e) => e.event === 'agent.status'));
      s.delta('Here ');
      const created = await stream.until((es) => es.some((e) => e.event === 'message.delta'));
      expect(created.find((e) => e.data.message?.role === 'agent')).toMatchObject({ event: 'message.created', data: { message: { status: 'streaming', text: '' } } });
      s.delta('it is.');
      s.done();
      const events = await stream.until((es) => es.some((e) => e.event === 'message.completed'));
      stream.close();
      expect(events.map((e) => e.event)).toEqual(['message.created', 'agent.status', 'message.created', 'message.delta', 'message.delta', 'agent.status', 'message.completed']);
      expect(events.find((e) => e.event === 'agent.status')!.data).toEqual({ text: 'Searching the catalogue…' });
      expect(events.at(-1)!.data.message.text).toBe('Here it is.');
      expect(events.every((e) => e.id !== '')).toBe(true);
    } finally {
      await agent.stop();
    }
  });

  it('posts a message.created event signed per Standard Webhooks to the webhook', async () => {
    const agent = await agentServer({ kind: 'json', reply: 'From the webhook' });
    try {
      const created = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Signed', webhook_url: agent.url } });
      const k = await createKey(hub, ['signed.example'], { agent_id: created.body.id });
      const t = (await handshake(hub, k.key, 'https://signed.example')).body.session_token;
      const conv = (await widgetCall(hub, t, 'POST', WIDGET_API.conversations, {})).body.id;
      await widgetCall(hub, t, 'POST', WIDGET_API.messages(conv), { text: 'Question?' });
      await expect.poll(() => agent.requests.length).toBe(1);
      const { raw, headers, body } = agent.requests[0]!;
      expect(headers['webhook-signature']).toMatch(/^v1,/);
      expect(webhooks.verify(raw, headers, created.body.webhook_secret)).toEqual(body);
      expect(() => webhooks.verify(raw, headers, 'whsec_' + Buffer.alloc(24).toString('base64'))).toThrow(/signature/);
      expect(body).toMatchObject({ type: 'message.created', conversation_id: conv, context: { origin: 'https://signed.example' }, message: { text: 'Question?' } });
      await expect.poll(async () => (await widgetCall(hub, t, 'GET', WIDGET_API.messages(conv))).body.data.at(-1)?.text).toBe('From the webhook');
    } finally {
      await agent.stop();
    }
  });

  it('serves the stream with SSE headers and heartbeat-friendly framing', async () => {
    const v = await visitor();
    const stream = await v.events();
    stream.close();
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toBe('no-cache');
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
  });

  it('answers a repeated client_message_id with the first message and starts no second reply', async () => {
    const agent = await agentServer({ kind: 'json', reply: 'Once' });
    try {
      const v = await visitor(agent.url);
      const stream = await v.events();
      const first = await v.post('Only once', 'c-1');
      const retry = await v.post('Only once', 'c-1');
      expect(first.status).toBe(202);
      expect(retry.status).toBe(200);
      expect(retry.body.message).toEqual(first.body.message);
      await stream.until((es) => es.some((e) => e.event === 'message.completed'));
      // A third post, without an id, proves the turn loop ran again only for it.
      await v.post('Another');
      await stream.until((es) => es.filter((e) => e.event === 'message.completed').length === 2);
      stream.close();
      expect(agent.requests.map((r) => r.body.message.text)).toEqual(['Only once', 'Another']);
      const texts = (await v.list()).body.data.map((m: { text: string }) => m.text);
      expect(texts).toEqual(['Only once', 'Once', 'Another', 'Once']);
      // The same id in another conversation is another message.
      const other = await visitor(agent.url);
      expect((await other.post('Elsewhere', 'c-1')).status).toBe(202);
    } finally {
      await agent.stop();
    }
  });

  it('queues messages sent while a reply is in flight and answers them in one next turn', async () => {
    const agent = await agentServer({ kind: 'stream' });
    try {
      const v = await visitor(agent.url);
      const stream = await v.events();
      await v.post('First');
      const s1 = await agent.nextStream();
      expect((await v.post('Second')).status).toBe(202);
      expect((await v.post('Third')).status).toBe(202);
      s1.delta('Answer one');
      s1.done();
      const s2 = await agent.nextStream();
      expect(s2.body.message.text).toBe('Third');
      expect(s2.body.history.map((m: { text: string }) => m.text)).toEqual(['First', 'Second', 'Answer one']);
      s2.delta('Answer two');
      s2.done();
      await stream.until((es) => es.filter((e) => e.event === 'message.completed').length === 2);
      stream.close();
      // Exactly two turns: one per reply in flight, never two at once.
      expect(agent.requests).toHaveLength(2);
      const texts = (await v.list()).body.data.map((m: { text: string }) => m.text);
      // In the order they were created: the first answer began after the visitor sent the other two.
      expect(texts).toEqual(['First', 'Second', 'Third', 'Answer one', 'Answer two']);
    } finally {
      await agent.stop();
    }
  });

  it('resumes with Last-Event-ID mid-reply without loss or repeats', async () => {
    const agent = await agentServer({ kind: 'stream' });
    try {
      const v = await visitor(agent.url);
      const first = await v.events();
      await v.post('Tell me a story');
      const s = await agent.nextStream();
      s.delta('Once ');
      s.delta('upon ');
      await first.until((es) => es.filter((e) => e.event === 'message.delta').length === 2);
      first.close();
      const resumeAt = first.lastId();
      s.delta('a ');
      s.delta('time');
      // The reply is still streaming: the list has its text so far and a position to resume from.
      const listed = await v.list();
      const streaming = listed.body.data.find((m: { role: string }) => m.role === 'agent');
      expect(streaming).toMatchObject({ status: 'streaming' });
      const second = await v.events(resumeAt);
      await second.until((es) => textOf([...first.events, ...es], streaming.id) === 'Once upon a time');
      s.delta(', the end.');
      s.done();
      await second.until((es) => es.some((e) => e.event === 'message.completed'));
      second.close();
      const all = [...first.events, ...second.events];
      expect(textOf(all.slice(0, -1), streaming.id)).toBe('Once upon a time, the end.');
      expect(all.at(-1)!.data.message.text).toBe('Once upon a time, the end.');
      // Nothing twice: one created per message, and every id grows.
      const created = all.filter((e) => e.event === 'message.created').map((e) => e.data.message.id);
      expect(new Set(created).size).toBe(created.length);
      // The resumed reader starts with the rest of the reply ("a time", in one replayed delta or two).
      expect(second.events[0]).toMatchObject({ event: 'message.delta', data: { message_id: streaming.id } });
      expect(second.events[0]!.data.text.startsWith('a ')).toBe(true);
      // From the list's position (taken mid-reply), after the reply ended: only its end, once.
      expect(streaming.text.length).toBeGreaterThan(0);
      const fromList = await v.events(listed.body.last_event_id);
      await fromList.until((es) => es.some((e) => e.event === 'message.completed'));
      fromList.close();
      expect(fromList.events.map((e) => e.event)).toEqual(['message.completed']);
      expect(fromList.events[0]!.data.message.text).toBe('Once upon a time, the end.');
    } finally {
      await agent.stop();
    }
  });

  it('replays the whole conversation without Last-Event-ID and nothing from its last id', async () => {
    const v = await visitor();
    const live = await v.events();
    await v.post('One');
    await live.until((es) => es.some((e) => e.event === 'message.completed'));
    live.close();
    const replay = await v.events();
    await replay.until((es) => es.length === 2);
    replay.close();
    expect(replay.events.map((e) => [e.event, e.data.message.role, e.data.message.status])).toEqual([
      ['message.created', 'visitor', 'completed'],
      ['message.created', 'agent', 'completed'],
    ]);
    expect(replay.lastId()).toBe(live.lastId());
    const fromEnd = await v.events(live.lastId());
    await v.post('Two');
    await fromEnd.until((es) => es.some((e) => e.event === 'message.completed'));
    fromEnd.close();
    expect(fromEnd.events[0]).toMatchObject({ event: 'message.created', data: { message: { text: 'Two' } } });
  });

  it.each([['garbage', 'abc'], ['an id past the conversation', '999'], ['a negative id', '-1']])('refuses %s as Last-Event-ID with a 400', async (_name, id) => {
    const v = await visitor();
    const res = await v.events(id);
    expect(res.status).toBe(400);
    expect((res as unknown as { body: any }).body.error.message).toContain('Last-Event-ID');
  });

  it('ends the stream with stream.closed when the key is disabled', async () => {
    const k = await createKey(hub, ['closing.example']);
    const t = (await handshake(hub, k.key, 'https://closing.example')).body.session_token;
    const conv = await widgetCall(hub, t, 'POST', WIDGET_API.conversations, {});
    const stream = await openEvents(hub.url, t, conv.body.id);
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { disabled: true } });
    await stream.ended;
    expect(stream.events.at(-1)).toMatchObject({ event: 'stream.closed', data: { reason: 'key_disabled' }, id: '0' });
  });

  it('ends the stream with stream.closed when its session expires', async () => {
    const v = await visitor();
    // The same claims as a real session, expiring in two seconds instead of ten minutes.
    const { kid, acc, agt, org, sst } = decodeJwt(v.token) as Record<string, string>;
    const exp = Math.floor(Date.now() / 1000) + 2;
    const shortLived = await new SignJWT({ kid, acc, agt, org, sst, jti: 'short-lived' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(TEST_SECRET));
    const stream = await openEvents(hub.url, shortLived, v.id);
    expect(stream.status).toBe(200);
    await stream.ended;
    expect(stream.events.at(-1)).toMatchObject({ event: 'stream.closed', data: { reason: 'session_expired' } });
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });

  it('ends the stream when the origin leaves the allowlist', async () => {
    const k = await createKey(hub, ['moving-stream.example']);
    const t = (await handshake(hub, k.key, 'https://moving-stream.example')).body.session_token;
    const conv = await widgetCall(hub, t, 'POST', WIDGET_API.conversations, {});
    const stream = await openEvents(hub.url, t, conv.body.id);
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { domain_allowlist: ['elsewhere.example'] } });
    await stream.ended;
    expect(stream.events.at(-1)).toMatchObject({ event: 'stream.closed', data: { reason: 'origin_not_allowed' } });
  });

  it.each([
    ['answers 500', { kind: 'status', status: 500 } as const, 'agent_unavailable'],
    ['answers without a reply', { kind: 'json', reply: '' } as const, 'agent_bad_answer'],
    ['is too slow', { kind: 'json', reply: 'late', delayMs: 4_000 } as const, 'agent_timeout'],
  ])('ends the reply in message.failed, the visitor message kept, when the webhook %s', async (_name, mode, type) => {
    const agent = await agentServer(mode);
    try {
      const v = await visitor(agent.url);
      const stream = await v.events();
      expect((await v.post('Anyone?')).status).toBe(202);
      const events = await stream.until((es) => es.some((e) => e.event === 'message.failed'));
      stream.close();
      const failed = events.find((e) => e.event === 'message.failed')!.data;
      expect(failed.error.type).toBe(type);
      // The visitor learns what to do, not what the owner's network answered.
      expect(failed.error.message).not.toMatch(/HTTP|500|fetch|127\.0\.0\.1/);
      expect(failed.message).toMatchObject({ role: 'agent', status: 'failed', text: '' });
      const history = (await v.list()).body.data;
      expect(history.map((m: { text: string; status: string }) => [m.text, m.status])).toEqual([['Anyone?', 'completed'], ['', 'failed']]);
    } finally {
      await agent.stop();
    }
  });

  it('keeps and marks the partial text of a reply whose stream breaks off', async () => {
    const agent = await agentServer({ kind: 'stream' });
    try {
      const v = await visitor(agent.url);
      const stream = await v.events();
      await v.post('Go on');
      const s = await agent.nextStream();
      s.delta('Half an ');
      await stream.until((es) => es.some((e) => e.event === 'message.delta'));
      s.cut();
      const events = await stream.until((es) => es.some((e) => e.event === 'message.failed'));
      stream.close();
      expect(events.at(-1)!.data.message).toMatchObject({ status: 'failed', text: 'Half an ' });
    } finally {
      await agent.stop();
    }
  });

  it('ends a turn without a message when the agent answers 202, and relays its later post', async () => {
    const agent = await agentServer({ kind: 'accepted' });
    try {
      const v = await visitor(agent.url);
      const stream = await v.events();
      await v.post('Can a person help?');
      await expect.poll(() => agent.requests.length).toBe(1);
      const { postAgentMessage } = await import('../../src/hub/conversations/service.js');
      await postAgentMessage(hub.ctx, v.id, { text: 'Sam here, happy to help.', author_name: 'Sam', role: 'person' });
      const events = await stream.until((es) => es.some((e) => e.data.message?.role === 'person'));
      stream.close();
      expect(agentMessages(events)).toEqual([]);
      expect(events.at(-1)).toMatchObject({ event: 'message.created', data: { message: { role: 'person', author_name: 'Sam', status: 'completed', text: 'Sam here, happy to help.' } } });
    } finally {
      await agent.stop();
    }
  });

  it.each([
    ['a NUL in the text', 'conv', { text: 'a\u0000b' }, 'text'],
    ['a client_message_id with spaces', 'conv', { text: 'hi', client_message_id: 'a b' }, 'client_message_id'],
    ['a client_message_id over 64 characters', 'conv', { text: 'hi', client_message_id: 'x'.repeat(65) }, 'client_message_id'],
    ['a NUL in the conversation id', 'conv_a%00b', { text: 'hi' }, 'id (in the path)'],
    ['a malformed conversation id', 'nope', { text: 'hi' }, 'conversation id'],
  ])('refuses %s with a 400 naming it', async (_name, which, body, mention) => {
    const v = await visitor();
    const res = await widgetCall(hub, v.token, 'POST', which === 'conv' ? WIDGET_API.messages(v.id) : `${WIDGET_API.conversations}/${which}/messages`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(mention);
  });

  it('refuses an empty or oversize message', async () => {
    const v = await visitor();
    expect((await v.post('   ')).status).toBe(400);
    expect((await v.post('x'.repeat(4001))).status).toBe(400);
  });

  it("refuses another key's session on a conversation, its messages and its events", async () => {
    const v = await visitor();
    const other = await createKey(hub, ['other.example']);
    const otherToken = (await handshake(hub, other.key, 'https://other.example')).body.session_token;
    const res = await widgetCall(hub, otherToken, 'GET', WIDGET_API.messages(v.id));
    expect(res.status).toBe(404);
    expect(res.body.error.type).toBe('conversation_not_found');
    expect((await widgetCall(hub, otherToken, 'POST', WIDGET_API.messages(v.id), { text: 'hi' })).status).toBe(404);
    expect((await openEvents(hub.url, otherToken, v.id)).status).toBe(404);
  });

  it('refreshes a session and refuses the refresh once the key is disabled', async () => {
    const k = await createKey(hub, ['refresh.example']);
    const t = (await handshake(hub, k.key, 'https://refresh.example')).body.session_token;
    const refreshed = await widgetCall(hub, t, 'POST', WIDGET_API.session, {});
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.session_token).not.toBe(t);
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { disabled: true } });
    const refused = await widgetCall(hub, refreshed.body.session_token, 'POST', WIDGET_API.session, {});
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe('key_disabled');
  });

  it('refuses a refresh once the origin is no longer allowed', async () => {
    const k = await createKey(hub, ['moving.example']);
    const t = (await handshake(hub, k.key, 'https://moving.example')).body.session_token;
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { domain_allowlist: ['elsewhere.example'] } });
    const refused = await widgetCall(hub, t, 'POST', WIDGET_API.session, {});
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe('origin_not_allowed');
  });
});
