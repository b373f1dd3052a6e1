/**
 * What a turn carries and when one starts, over real HTTP on both databases: the page's reported
 * context reaching the agent, a retry of a failed reply with the same client_message_id, and the end
 * of the typing signal when the agent answers 202.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPORTED_CONTEXT_BYTES } from '../../src/protocol/agent-webhook.js';
import { DIALECTS } from '../helpers/databases.js';
import type { TestHub } from '../helpers/hub.js';
import type { Received } from './conversations/events-client.js';
import { webhookHub } from './conversations/webhook-hub.js';

const ended = (es: Received[]) => es.filter((e) => e.event === 'message.completed' || e.event === 'message.failed');

describe.each(DIALECTS)('replies on %s', (dialect) => {
  let world: Awaited<ReturnType<typeof webhookHub>>;
  let hub: TestHub;
  let agent: Awaited<ReturnType<typeof webhookHub>>['agent'];
  beforeAll(async () => {
    world = await webhookHub(dialect, 'replies.example');
    ({ hub, agent } = world);
  });
  afterAll(() => world?.close());

  const conversation = () => world.conversation();

  describe('reported context', () => {
    it("passes the page's context to the agent as context.reported, the latest one kept", async () => {
      agent.setMode({ kind: 'json', reply: 'Noted' });
      const c = await conversation();
      await c.post({ text: 'One', context: { cart: 3, page: '/tents' } });
      await c.stream.until((es) => ended(es).length === 1);
      // A post without context leaves the stored one; `null` clears it.
      await c.post({ text: 'Two' });
      await c.stream.until((es) => ended(es).length === 2);
      await c.post({ text: 'Three', context: null });
      await c.stream.until((es) => ended(es).length === 3);
      c.stream.close();
      expect(c.requests().map((r) => [r.body.message.text, r.body.context])).toEqual([
        ['One', { origin: 'https://replies.example', reported: { cart: 3, page: '/tents' } }],
        ['Two', { origin: 'https://replies.example', reported: { cart: 3, page: '/tents' } }],
        ['Three', { origin: 'https://replies.example', reported: null }],
      ]);
    });

    it('takes a context of exactly MAX_REPORTED_CONTEXT_BYTES of JSON', async () => {
      agent.setMode({ kind: 'json', reply: 'Noted' });
      const c = await conversation();
      // `{"a":""}` is 8 bytes.
      const context = { a: 'x'.repeat(MAX_REPORTED_CONTEXT_BYTES - 8) };
      expect((await c.post({ text: 'Big', context })).status).toBe(202);
      await c.stream.until((es) => ended(es).length === 1);
      c.stream.close();
      expect(c.requests()[0]!.body.context.reported).toEqual(context);
    });

    it.each([
      // 1,021 characters but 2,050 bytes: the limit counts bytes of JSON.
      ['over MAX_REPORTED_CONTEXT_BYTES of JSON', { a: 'é'.repeat(1021) }, `at most ${MAX_REPORTED_CONTEXT_BYTES} bytes`],
      ['an array', ['cart', 3], 'context'],
      ['a string', 'cart=3', 'context'],
    ])('refuses a context %s with a 400 naming the field', async (_name, context, mention) => {
      const c = await conversation();
      const res = await c.post({ text: 'Hi', context });
      c.stream.close();
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('invalid_request');
      expect(res.body.error.message).toContain('context');
      expect(res.body.error.message).toContain(mention);
      expect(await c.stored()).toEqual([]);
    });
  });

  describe('retry of a failed reply', () => {
    it('answers the same client_message_id again with a new turn when its reply failed: one visitor message', async () => {
      agent.setMode({ kind: 'status', status: 500 });
      const c = await conversation();
      expect((await c.post({ text: 'Where is my order?', client_message_id: 'r-1', context: { order: 7 } })).status).toBe(202);
      await c.stream.until((es) => es.some((e) => e.event === 'message.failed'));
      agent.setMode({ kind: 'json', reply: 'On its way.' });
      const retry = await c.post({ text: 'Where is my order?', client_message_id: 'r-1', context: { order: 7 } });
      expect(retry.status).toBe(202);
      const events = await c.stream.until((es) => es.some((e) => e.event === 'message.completed'));
      c.stream.close();
      expect(retry.body.message).toEqual(events[0]!.data.message);
      expect(await c.stored()).toEqual([
        ['visitor', 'Where is my order?', 'completed'],
        ['agent', '', 'failed'],
        ['agent', 'On its way.', 'completed'],
      ]);
      const [first, second] = c.requests();
      expect(c.requests()).toHaveLength(2);
      // The agent is asked the same question about the conversation as it was then.
      expect(second!.body.message).toEqual(first!.body.message);
      expect(second!.body.history).toEqual([]);
      expect(second!.body.context.reported).toEqual({ order: 7 });
      // Answered now: the same id once more starts nothing.
      expect((await c.post({ text: 'Where is my order?', client_message_id: 'r-1' })).status).toBe(200);
      expect((await c.stored()).length).toBe(3);
      expect(c.requests()).toHaveLength(2);
    });

    it('starts nothing for a repeat while the reply streams, and one turn for two retries at once', async () => {
      agent.setMode({ kind: 'stream' });
      const c = await conversation();
      await c.post({ text: 'Tell me', client_message_id: 'r-2' });
      const s = await agent.nextStream();
      s.delta('Half');
      await c.stream.until((es) => es.some((e) => e.event === 'message.delta'));
      expect((await c.post({ text: 'Tell me', client_message_id: 'r-2' })).status).toBe(200);
      s.cut();
      await c.stream.until((es) => es.some((e) => e.event === 'message.failed'));
      agent.setMode({ kind: 'json', reply: 'Whole' });
      const both = await Promise.all([c.post({ text: 'Tell me', client_message_id: 'r-2' }), c.post({ text: 'Tell me', client_message_id: 'r-2' })]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 202]);
      await c.stream.until((es) => es.some((e) => e.event === 'message.completed'));
      c.stream.close();
      expect(c.requests()).toHaveLength(2);
      expect(await c.stored()).toEqual([
        ['visitor', 'Tell me', 'completed'],
        ['agent', 'Half', 'failed'],
        ['agent', 'Whole', 'completed'],
      ]);
    });

    it('answers a retry before messages sent after it, and leaves those to their own turn', async () => {
      agent.setMode({ kind: 'status', status: 500 });
      const c = await conversation();
      await c.post({ text: 'First', client_message_id: 'r-3' });
      await c.stream.until((es) => es.some((e) => e.event === 'message.failed'));
      agent.setMode({ kind: 'stream' });
      await c.post({ text: 'Second' });
      const s2 = await agent.nextStream();
      // While Second's turn runs: the retry of First waits for it, then gets its own turn.
      expect((await c.post({ text: 'First', client_message_id: 'r-3' })).status).toBe(202);
      s2.delta('Answer two');
      s2.done();
      const s1 = await agent.nextStream();
      expect(s1.body.message.text).toBe('First');
      expect(s1.body.history).toEqual([]);
      s1.delta('Answer one');
      s1.done();
      await c.stream.until((es) => es.filter((e) => e.event === 'message.completed').length === 2);
      c.stream.close();
      expect(c.requests().map((r) => r.body.message.text)).toEqual(['First', 'Second', 'First']);
      expect(await c.stored()).toEqual([
        ['visitor', 'First', 'completed'],
        ['agent', '', 'failed'],
        ['visitor', 'Second', 'completed'],
        ['agent', 'Answer two', 'completed'],
        ['agent', 'Answer one', 'completed'],
      ]);
    });
  });

  describe('an agent that answers later (202)', () => {
    it('ends the typing signal with an empty agent.status, once the last queued message is taken', async () => {
      agent.setMode({ kind: 'held' });
      const c = await conversation();
      await c.post({ text: 'Can a person help?' });
      const first = await agent.nextHeld();
      // Queued behind the first: its turn starts when the first ends, so no "done" between them.
      await c.post({ text: 'Anyone?' });
      first.answer(202);
      const second = await agent.nextHeld();
      expect(second.body.message.text).toBe('Anyone?');
      second.answer(202);
      // Once the turn is released, everything it publishes is out; a reply after it is the barrier.
      const owner = async () => (await hub.store.db.selectFrom('conversations').select('turn_owner').where('id', '=', c.id).executeTakeFirstOrThrow()).turn_owner;
      await expect.poll(owner).toBeNull();
      agent.setMode({ kind: 'json', reply: 'Back' });
      await c.post({ text: 'Third' });
      const events = await c.stream.until((es) => es.some((e) => e.event === 'message.completed'));
      c.stream.close();
      expect(events.map((e) => [e.event, e.data.message?.text ?? e.data.text])).toEqual([
        ['message.created', 'Can a person help?'],
        ['message.created', 'Anyone?'],
        ['agent.status', ''],
        ['message.created', 'Third'],
        ['message.created', ''],
        ['message.delta', 'Back'],
        ['message.completed', 'Back'],
      ]);
    });
  });
});
