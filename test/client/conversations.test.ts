import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BadRequestError, NotFoundError, type Kataven } from '../../src/client/index.js';
import { createAccount } from '../../src/hub/accounts/repo.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { widgetCall } from '../helpers/widget.js';
import { visitorConversation, visitorConversations } from '../hub/visitor-conversation.js';
import { clientFor, recordingFetch } from './helpers.js';

describe.each(DIALECTS)('client.conversations on %s', (dialect) => {
  let hub: TestHub;
  let client: Kataven;
  beforeAll(async () => {
    // Many conversations from one test address: the per-address limit on starting them is not what is tested here.
    hub = await startTestHub(dialect, { conversationRateLimitIp: 0 });
    client = clientFor(hub);
  });
  afterAll(() => hub.close());

  const start = () => visitorConversation(hub.url, hub.account.secret_key);

  it("iterates one key's conversations across pages, newest first, the filter sent on every page", async () => {
    const other = await createAccount(hub.store.db, 'Pager');
    const made = await visitorConversations(hub.url, other.secret_key, 3);
    await visitorConversation(hub.url, other.secret_key); // another key's: filtered out
    const recorder = recordingFetch();
    const pager = clientFor(hub, { apiKey: other.secret_key, fetch: recorder.fetch });
    const seen: string[] = [];
    for await (const c of pager.conversations.list({ limit: 2, widget_key_id: made[0]!.widgetKeyId })) seen.push(c.id);
    expect(seen).toEqual(made.map((c) => c.id).reverse());
    expect(recorder.calls.map((c) => c.url.searchParams.get('widget_key_id'))).toEqual([made[0]!.widgetKeyId, made[0]!.widgetKeyId]);
    expect(recorder.calls[1]!.url.searchParams.get('starting_after')).toBe(made[1]!.id);
    const page = await pager.conversations.list({ limit: 10 });
    expect(page).toMatchObject({ has_more: false });
    expect(page.data).toHaveLength(4);
  });

  it('answers as the agent and as a person, and retrieves them with the visitor message', async () => {
    const conv = await start();
    await widgetCall(hub, conv.token, 'POST', WIDGET_API.messages(conv.id), { text: 'Is anyone there?' });
    // The demo agent answers first; the posts below come after its reply.
    await vi.waitFor(async () => {
      const { messages } = await client.conversations.retrieve(conv.id);
      expect(messages.some((m) => m.role === 'agent' && m.status === 'completed')).toBe(true);
    }, { timeout: 15_000 });
    const agent = await client.conversations.messages.create(conv.id, { text: 'A person will answer shortly.' });
    const person = await client.conversations.messages.create(conv.id, { text: 'Sam here.', author_name: 'Sam' });
    expect(agent).toMatchObject({ role: 'agent', author_name: null, status: 'completed' });
    expect(person).toMatchObject({ role: 'person', author_name: 'Sam' });
    const got = await client.conversations.retrieve(conv.id);
    expect(got.id).toBe(conv.id);
    expect(got.messages[0]).toMatchObject({ role: 'visitor', text: 'Is anyone there?' });
    expect(got.messages.slice(-2).map((m) => m.id)).toEqual([agent.id, person.id]);
    expect(got.message_count).toBe(got.messages.length);
  });

  it('takes a conversation over and hands it back; a name of spaces is a BadRequestError', async () => {
    const conv = await start();
    expect(await client.conversations.update(conv.id, { taken_over_by: 'Sam' })).toMatchObject({ id: conv.id, taken_over_by: 'Sam' });
    expect((await client.conversations.retrieve(conv.id)).taken_over_by).toBe('Sam');
    expect((await client.conversations.update(conv.id, { taken_over_by: null })).taken_over_by).toBeNull();
    await expect(client.conversations.update(conv.id, { taken_over_by: ' ' })).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.conversations.update('conv_nope', { taken_over_by: 'Sam' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('erases a conversation: retrieve and a second del are then NotFoundError', async () => {
    const conv = await start();
    await client.conversations.messages.create(conv.id, { text: 'Forget me' });
    expect(await client.conversations.del(conv.id)).toEqual({ id: conv.id, deleted: true });
    await expect(client.conversations.retrieve(conv.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.conversations.del(conv.id)).rejects.toMatchObject({ status: 404, type: 'not_found' });
    const left = await hub.store.db.selectFrom('messages').select('id').where('conversation_id', '=', conv.id).execute();
    expect(left).toEqual([]);
  });

  it("gets NotFoundError for another account's conversation, whatever the method", async () => {
    const conv = await start();
    const stranger = clientFor(hub, { apiKey: (await createAccount(hub.store.db, 'Stranger')).secret_key });
    const calls = [
      stranger.conversations.retrieve(conv.id),
      stranger.conversations.messages.create(conv.id, { text: 'hi' }),
      stranger.conversations.del(conv.id),
    ];
    for (const result of await Promise.allSettled(calls)) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    }
    expect((await client.conversations.retrieve(conv.id)).messages).toEqual([]);
  });

  it('gets BadRequestError naming the field for a reply of spaces', async () => {
    const conv = await start();
    const err = await client.conversations.messages.create(conv.id, { text: '   ' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toContain('text: only spaces');
  });
});
