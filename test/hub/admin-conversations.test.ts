import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_AGENT_REPLY_LENGTH } from '../../src/protocol/agent-webhook.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { createAccount, type NewAccount } from '../../src/hub/accounts/repo.js';
import { insertMessage } from '../../src/hub/conversations/repo.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { widgetCall } from '../helpers/widget.js';
import { visitorConversation, visitorConversations, type VisitorConversation } from './visitor-conversation.js';

describe.each(DIALECTS)('conversations in the Admin API on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    // Many conversations from one test address: the per-address limit on starting them is not what is tested here.
    hub = await startTestHub(dialect, { conversationRateLimitIp: 0 });
  });
  afterAll(() => hub.close());

  const start = (account: { secret_key: string } = hub.account) => visitorConversation(hub.url, account.secret_key);
  const startInOrder = (account: { secret_key: string }, n: number) => visitorConversations(hub.url, account.secret_key, n);
  const post = (id: string, body: unknown, key?: string) => hub.api(`/api/v1/conversations/${id}/messages`, { method: 'POST', body, key });
  const rows = async (table: 'messages' | 'conversations', column: 'conversation_id' | 'id', id: string) =>
    (await hub.store.db.selectFrom(table).selectAll().where(column as never, '=', id as never).execute()).length;

  /** An account of its own, so that a list holds only what the test made. */
  let fresh: () => Promise<NewAccount>;
  beforeAll(() => {
    fresh = () => createAccount(hub.store.db, 'Own');
  });

  it('lists conversations newest first, with counts, the last message time and no-store', async () => {
    const account = await fresh();
    const [first, second] = (await startInOrder(account, 2)) as [VisitorConversation, VisitorConversation];
    await post(first.id, { text: 'one' }, account.secret_key);
    const last = await post(first.id, { text: 'two' }, account.secret_key);
    const res = await hub.api('/api/v1/conversations', { key: account.secret_key });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.has_more).toBe(false);
    expect(res.body.data.map((c: { id: string }) => c.id)).toEqual([second.id, first.id]);
    const [newer, older] = res.body.data;
    expect(Object.keys(older).sort()).toEqual(['agent_id', 'created_at', 'id', 'last_message_at', 'message_count', 'mode', 'origin', 'taken_over_by', 'visitor_id', 'widget_key_id']);
    expect(older).toMatchObject({ widget_key_id: first.widgetKeyId, agent_id: account.agent_id, origin: 'https://shop.example', visitor_id: null, message_count: 2, last_message_at: last.body.created_at });
    expect(newer).toMatchObject({ message_count: 0, last_message_at: null });
  });

  it('pages with limit and starting_after, without repeats or gaps, ties in created_at included', async () => {
    const account = await fresh();
    const made = await startInOrder(account, 3);
    // Two more written in one millisecond: the order falls back to the id, and the cursor must too.
    const { widget_key_id, agent_id, origin, created_at } = await hub.store.db.selectFrom('conversations').selectAll().where('id', '=', made[2]!.id).executeTakeFirstOrThrow();
    for (const id of ['conv_tie_a', 'conv_tie_b']) {
      await hub.store.db.insertInto('conversations').values({ id, account_id: account.account_id, widget_key_id, agent_id, origin, created_at }).execute();
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await hub.api(`/api/v1/conversations?limit=2${cursor ? `&starting_after=${cursor}` : ''}`, { key: account.secret_key });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((c: { id: string }) => c.id));
      if (!page.body.has_more) break;
      cursor = page.body.data.at(-1).id;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const all = (await hub.api('/api/v1/conversations?limit=100', { key: account.secret_key })).body.data.map((c: { id: string }) => c.id);
    expect(seen).toEqual(all);
    expect(all.slice(-2)).toEqual([made[1]!.id, made[0]!.id]);
  });

  it('filters by widget_key_id', async () => {
    const account = await fresh();
    const a = await start(account);
    await start(account);
    const res = await hub.api(`/api/v1/conversations?widget_key_id=${a.widgetKeyId}`, { key: account.secret_key });
    expect(res.body.data.map((c: { id: string }) => c.id)).toEqual([a.id]);
  });

  it('returns a conversation with every message, oldest first, the visitor and the person included', async () => {
    const conv = await start();
    const sent = await widgetCall(hub, conv.token, 'POST', WIDGET_API.messages(conv.id), { text: 'Where is my order?' });
    expect(sent.status).toBeGreaterThanOrEqual(200);
    expect(sent.status).toBeLessThan(300);
    // The demo agent answers first; the person's message comes after its reply.
    await vi.waitFor(async () => {
      const { body } = await hub.api(`/api/v1/conversations/${conv.id}`);
      expect(body.messages.some((m: { role: string; status: string }) => m.role === 'agent' && m.status === 'completed')).toBe(true);
    }, { timeout: 15_000 });
    const person = await post(conv.id, { text: 'Sam here: it shipped today.', author_name: 'Sam' });
    const res = await hub.api(`/api/v1/conversations/${conv.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ id: conv.id, widget_key_id: conv.widgetKeyId, message_count: res.body.messages.length });
    expect(res.body.messages[0]).toMatchObject({ role: 'visitor', text: 'Where is my order?', status: 'completed', author_name: null });
    expect(res.body.messages.at(-1)).toMatchObject({ id: person.body.id, role: 'person', author_name: 'Sam', text: 'Sam here: it shipped today.' });
    const ids = res.body.messages.map((m: { id: string }) => m.id);
    expect(ids).toEqual([...ids].sort());
  });

  it('says why a failed reply failed, and nothing for the others', async () => {
    const conv = await start();
    // A reply the agent did not give in time, stored as the turn runner stores it (the failure itself is tested with the agent calls).
    await insertMessage(hub.store.db, conv.id, { role: 'agent', text: 'Let me ', status: 'failed', failure_type: 'agent_timeout' });
    const { body } = await hub.api(`/api/v1/conversations/${conv.id}`);
    expect(body.messages.map((m: { status: string; failure_type: string | null }) => [m.status, m.failure_type])).toEqual([
      ...body.messages.slice(0, -1).map((m: { status: string }) => [m.status, null]),
      ['failed', 'agent_timeout'],
    ]);
  });

  it('posts a reply as the agent, or with author_name as a person, and the visitor sees it', async () => {
    const conv = await start();
    const agent = await post(conv.id, { text: '  Your order shipped.  ' });
    expect(agent.status).toBe(201);
    expect(agent.body).toEqual({ id: expect.stringMatching(/^msg_/), role: 'agent', text: 'Your order shipped.', status: 'completed', failure_type: null, author_name: null, created_at: expect.any(String) });
    const person = await post(conv.id, { text: 'Sam here.', author_name: ' Sam ' });
    expect(person.status).toBe(201);
    expect(person.body).toMatchObject({ role: 'person', author_name: 'Sam', text: 'Sam here.' });
    const seen = await widgetCall(hub, conv.token, 'GET', WIDGET_API.messages(conv.id));
    expect(seen.body.data.map((m: { text: string }) => m.text)).toEqual(['Your order shipped.', 'Sam here.']);
  });

  it('erases a conversation: the row and every message gone from the tables, other conversations kept', async () => {
    const doomed = await start();
    const kept = await start();
    await widgetCall(hub, doomed.token, 'POST', WIDGET_API.messages(doomed.id), { text: 'Please forget me' });
    await post(doomed.id, { text: 'Noted.' });
    await post(kept.id, { text: 'Stays.' });
    expect(await rows('messages', 'conversation_id', doomed.id)).toBeGreaterThanOrEqual(2);
    const res = await hub.api(`/api/v1/conversations/${doomed.id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: doomed.id, deleted: true });
    expect(await rows('messages', 'conversation_id', doomed.id)).toBe(0);
    expect(await rows('conversations', 'id', doomed.id)).toBe(0);
    expect(await rows('messages', 'conversation_id', kept.id)).toBe(1);
    expect((await hub.api(`/api/v1/conversations/${doomed.id}`)).status).toBe(404);
    expect((await hub.api(`/api/v1/conversations/${doomed.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await widgetCall(hub, doomed.token, 'GET', WIDGET_API.messages(doomed.id))).status).toBe(404);
  });

  it("answers 404 for another account's conversation, and changes nothing", async () => {
    const conv = await start();
    await post(conv.id, { text: 'Mine.' });
    const other = await fresh();
    const attempts = [
      hub.api(`/api/v1/conversations/${conv.id}`, { key: other.secret_key }),
      post(conv.id, { text: 'Injected' }, other.secret_key),
      hub.api(`/api/v1/conversations/${conv.id}`, { method: 'DELETE', key: other.secret_key }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ type: 'not_found', message: expect.stringContaining('GET /api/v1/conversations') });
    }
    expect((await hub.api('/api/v1/conversations', { key: other.secret_key })).body.data).toEqual([]);
    const mine = await hub.api(`/api/v1/conversations/${conv.id}`);
    expect(mine.body.messages.map((m: { text: string }) => m.text)).toEqual(['Mine.']);
  });

  it("refuses a filter or cursor naming another account's records, with the fix", async () => {
    const other = await fresh();
    const theirs = await start(other);
    const byKey = await hub.api(`/api/v1/conversations?widget_key_id=${theirs.widgetKeyId}`);
    expect(byKey.status).toBe(400);
    expect(byKey.body.error.message).toContain('widget_key_id: no widget key');
    expect(byKey.body.error.message).toContain('GET /api/v1/widget-keys');
    const byCursor = await hub.api(`/api/v1/conversations?starting_after=${theirs.id}`);
    expect(byCursor.status).toBe(400);
    expect(byCursor.body.error.message).toContain('starting_after: no conversation');
  });

  describe('bad input', () => {
    let id: string;
    beforeAll(async () => {
      id = (await start()).id;
    });
    const cases: Array<[string, () => { path: string; method?: string; body?: unknown; key?: string | null }, number, string, string]> = [
      ['an empty text', () => ({ path: `/api/v1/conversations/${id}/messages`, method: 'POST', body: { text: '' } }), 400, 'invalid_request', 'text'],
      ['a text of spaces', () => ({ path: `/api/v1/conversations/${id}/messages`, method: 'POST', body: { text: '   ' } }), 400, 'invalid_request', 'text: only spaces'],
      ['a missing text', () => ({ path: `/api/v1/conversations/${id}/messages`, method: 'POST', body: { author_name: 'Sam' } }), 400, 'invalid_request', 'text'],
      ['a text that is not a string', () => ({ path: `/api/v1/conversations/${id}/messages`, method: 'POST', body: { text: 7 } }), 400, 'invalid_request', 'text'],
      ['an oversize text', () => ({ path: `/api/v1/conversations/${id}/messages`, method: 'POST', body: { text: 'x'.repeat(MAX_AGENT_REPLY_LENGTH + 1) } }), 400, 'invalid_request', 'text'],
      ['an author_name of spaces', () => ({ path: `/api/v1/conversations/${id}/messages`, method: 'POST', body: { text: 'hi', author_name: '  ' } }), 400, 'invalid_request', 'author_name'],
      ['an unknown field', () => ({ path: `/api/v1/conversations/${id}/messages`, method: 'POST', body: { text: 'hi', role: 'visitor' } }), 400, 'invalid_request', '"role"'],
      ['a reply to an unknown conversation', () => ({ path: '/api/v1/conversations/conv_nope/messages', method: 'POST', body: { text: 'hi' } }), 404, 'not_found', 'conv_nope'],
      ['a limit out of range', () => ({ path: '/api/v1/conversations?limit=0' }), 400, 'invalid_request', 'limit'],
      ['an unknown query parameter', () => ({ path: '/api/v1/conversations?agent_id=agt_x' }), 400, 'invalid_request', 'agent_id'],
      ['an unknown cursor', () => ({ path: '/api/v1/conversations?starting_after=conv_nope' }), 400, 'invalid_request', 'starting_after'],
      ['no secret key', () => ({ path: '/api/v1/conversations', key: null }), 401, 'authentication_required', 'Bearer'],
    ];
    it.each(cases)('answers %s with a clear error', async (_name, make, status, type, mention) => {
      const req = make();
      const res = await hub.api(req.path, { method: req.method, body: req.body, key: req.key });
      expect(res.status).toBe(status);
      expect(res.body.error.type).toBe(type);
      expect(res.body.error.message).toContain(mention);
    });

    it('stores nothing for a refused reply', async () => {
      await post(id, { text: '   ' });
      await post(id, { text: 'hi', author_name: '' });
      expect(await rows('messages', 'conversation_id', id)).toBe(0);
    });
  });

  it('documents the five operations in the OpenAPI document', async () => {
    const { paths } = (await hub.api('/api/v1/openapi.json', { key: null })).body;
    expect(Object.keys(paths['/api/v1/conversations'])).toEqual(['get']);
    expect(Object.keys(paths['/api/v1/conversations/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(paths['/api/v1/conversations/{id}'].patch.requestBody.content['application/json'].schema.required).toEqual(['taken_over_by']);
    expect(Object.keys(paths['/api/v1/conversations/{id}/messages'])).toEqual(['post']);
    const body = paths['/api/v1/conversations/{id}/messages'].post.requestBody.content['application/json'].schema;
    expect(body.properties.author_name.description).toContain('role person');
  });
});
