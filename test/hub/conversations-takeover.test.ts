/**
 * A person taking a conversation over, over real HTTP on both databases: while it is taken over the
 * agent is not called and nobody shows as typing; handed back, the agent answers the next message with
 * the person's words in its history; every reader learns who answers, at once and at the start of a stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/hub/accounts/repo.js';
import type { TakeoverEvent } from '../../src/hub/conversations/bus.js';
import { setTakenOverBy } from '../../src/hub/conversations/repo.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import type { TestHub } from '../helpers/hub.js';
import { widgetCall } from '../helpers/widget.js';
import { openEvents, type Received } from './conversations/events-client.js';
import { webhookHub } from './conversations/webhook-hub.js';

const statuses = (es: Received[]) => es.filter((e) => e.event === 'agent.status').map((e) => e.data.text);

describe.each(DIALECTS)('taking over a conversation on %s', (dialect) => {
  let world: Awaited<ReturnType<typeof webhookHub>>;
  let hub: TestHub;
  let token: string;
  beforeAll(async () => {
    world = await webhookHub(dialect, 'takeover.example', { kind: 'json', reply: 'From the agent' });
    ({ hub, token } = world);
  });
  afterAll(() => world?.close());

  async function conversation() {
    const c = await world.conversation();
    const patch = (body: unknown, key?: string) => hub.api(`/api/v1/conversations/${c.id}`, { method: 'PATCH', body, key });
    return { ...c, post: (text: string) => c.post({ text }), patch };
  }

  it('a stream starts by saying who answers: the agent', async () => {
    const c = await conversation();
    await c.stream.until(() => c.stream.states.length === 1);
    c.stream.close();
    expect(c.stream.states).toEqual([null]);
  });

  it('while a person has it, the visitor writes, the agent is not called, and nobody shows as typing', async () => {
    const c = await conversation();
    const taken = await c.patch({ taken_over_by: ' Sam ' });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ id: c.id, taken_over_by: 'Sam', message_count: 0 });
    await c.stream.until(() => c.stream.states.includes('Sam'));
    expect((await c.post('Are you a person?')).status).toBe(202);
    // The turn that would have called the agent ends the typing signal instead.
    await c.stream.until((es) => statuses(es).includes(''));
    const reply = await hub.api(`/api/v1/conversations/${c.id}/messages`, { method: 'POST', body: { text: 'Yes, Sam here.', author_name: 'Sam' } });
    expect(reply.status).toBe(201);
    await c.stream.until((es) => es.some((e) => e.event === 'message.created' && e.data.message.role === 'person'));
    c.stream.close();
    expect(c.requests()).toEqual([]);
    const stored = (await widgetCall(hub, token, 'GET', WIDGET_API.messages(c.id))).body.data.map((m: any) => [m.role, m.text]);
    expect(stored).toEqual([['visitor', 'Are you a person?'], ['person', 'Yes, Sam here.']]);
  });

  it('handed back, the agent answers the next message, with the person in its history, and not what waited', async () => {
    const c = await conversation();
    await c.patch({ taken_over_by: 'Sam' });
    await c.post('Hello?');
    await c.stream.until((es) => statuses(es).includes(''));
    await hub.api(`/api/v1/conversations/${c.id}/messages`, { method: 'POST', body: { text: 'Sam here, all sorted.', author_name: 'Sam' } });
    const back = await c.patch({ taken_over_by: null });
    expect(back.body.taken_over_by).toBeNull();
    await c.stream.until(() => c.stream.states.length === 3);
    await c.post('Thanks, one more thing');
    await c.stream.until((es) => es.some((e) => e.event === 'message.completed' && e.data.message.role === 'agent'));
    c.stream.close();
    expect(c.stream.states).toEqual([null, 'Sam', null]);
    expect(c.requests().map((r) => r.body.message.text)).toEqual(['Thanks, one more thing']);
    expect(c.requests()[0]!.body.history.map((m: any) => [m.role, m.text])).toEqual([['visitor', 'Hello?'], ['person', 'Sam here, all sorted.']]);
  });

  it('two changes whose events arrive in the other order end at what is stored', async () => {
    // Alex takes over on one process, a colleague hands back on another, and the bus delivers the two
    // events the other way round. The events are published as they were when they carried the name.
    const c = await conversation();
    await c.stream.until(() => c.stream.states.length === 1);
    await setTakenOverBy(hub.store.db, c.id, 'Alex');
    await setTakenOverBy(hub.store.db, c.id, null);
    const late: TakeoverEvent[] = [{ kind: 'takeover', taken_over_by: null }, { kind: 'takeover', taken_over_by: 'Alex' }].map((e) => e as TakeoverEvent);
    for (const event of late) await hub.ctx.bus.publish(c.id, event);
    await c.stream.until(() => c.stream.states.length === 3);
    c.stream.close();
    expect(c.stream.states).toEqual([null, null, null]);
  });

  it('a stream opened while a person has it starts by naming them', async () => {
    const c = await conversation();
    c.stream.close();
    await c.patch({ taken_over_by: 'Noor' });
    const later = await openEvents(hub.url, token, c.id);
    await later.until(() => later.states.length === 1);
    later.close();
    expect(later.states).toEqual(['Noor']);
  });

  it('lists and retrieves who has the conversation', async () => {
    const c = await conversation();
    c.stream.close();
    await c.patch({ taken_over_by: 'Sam' });
    const one = await hub.api(`/api/v1/conversations/${c.id}`);
    expect(one.body.taken_over_by).toBe('Sam');
    const list = await hub.api('/api/v1/conversations?limit=100');
    expect(list.body.data.find((x: { id: string }) => x.id === c.id).taken_over_by).toBe('Sam');
  });

  it('takes over on condition of who answers now: met, it changes; not met, a 409 names who does and nothing changes', async () => {
    const c = await conversation();
    await c.stream.until(() => c.stream.states.length === 1);
    const first = await c.patch({ taken_over_by: 'Alex', if_taken_over_by: null });
    expect([first.status, first.body.taken_over_by]).toEqual([200, 'Alex']);
    await c.stream.until(() => c.stream.states.length === 2);
    // Sam's console still showed the agent.
    const late = await c.patch({ taken_over_by: 'Sam', if_taken_over_by: null });
    expect([late.status, late.body.error]).toEqual([409, {
      type: 'takeover_conflict',
      message: `"Alex" answers this conversation now, not the agent: retrieve it (GET /api/v1/conversations/${c.id}) and decide again`,
    }]);
    const stale = await c.patch({ taken_over_by: null, if_taken_over_by: ' Noor ' });
    expect([stale.status, stale.body.error.message]).toEqual([409, expect.stringMatching(/^"Alex" answers this conversation now, not "Noor"/)]);
    expect((await hub.api(`/api/v1/conversations/${c.id}`)).body.taken_over_by).toBe('Alex');
    // Trimmed like the name: what the console showed matches what was stored.
    const back = await c.patch({ taken_over_by: null, if_taken_over_by: ' Alex ' });
    expect([back.status, back.body.taken_over_by]).toEqual([200, null]);
    await c.stream.until(() => c.stream.states.length === 3);
    c.stream.close();
    // The two refused changes told no reader anything.
    expect(c.stream.states).toEqual([null, 'Alex', null]);
  });

  it('answers the same conditional change sent twice (a retry after a lost answer) with 200 both times', async () => {
    const c = await conversation();
    c.stream.close();
    const body = { taken_over_by: 'Sam', if_taken_over_by: null };
    const [first, again] = [await c.patch(body), await c.patch(body)];
    expect([first.status, again.status, again.body.taken_over_by]).toEqual([200, 200, 'Sam']);
  });

  it('of two people taking over at once on condition that the agent answers, exactly one gets it', async () => {
    const c = await conversation();
    c.stream.close();
    const both = await Promise.all(['Alex', 'Sam'].map((name) => c.patch({ taken_over_by: name, if_taken_over_by: null })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = both.find((r) => r.status === 200)!.body.taken_over_by;
    expect((await hub.api(`/api/v1/conversations/${c.id}`)).body.taken_over_by).toBe(winner);
    expect(both.find((r) => r.status === 409)!.body.error.message).toContain(`"${winner}" answers this conversation now`);
  });

  it('refuses a condition of spaces, and answers 404 for a conversation that is not there whatever the condition', async () => {
    const c = await conversation();
    c.stream.close();
    const spaces = await c.patch({ taken_over_by: 'Sam', if_taken_over_by: '  ' });
    expect([spaces.status, spaces.body.error.message]).toEqual([400, 'if_taken_over_by: only spaces; give the name of the person you saw answering, or null if you saw the agent']);
    const gone = await hub.api('/api/v1/conversations/conv_doesnotexist0000000000', { method: 'PATCH', body: { taken_over_by: 'Sam', if_taken_over_by: 'Alex' } });
    expect(gone.status).toBe(404);
    expect((await hub.api(`/api/v1/conversations/${c.id}`)).body.taken_over_by).toBeNull();
  });

  it('refuses a name of spaces, a missing or too long one, an unknown field, and another account', async () => {
    const c = await conversation();
    c.stream.close();
    const spaces = await c.patch({ taken_over_by: '   ' });
    expect([spaces.status, spaces.body.error.message]).toEqual([400, 'taken_over_by: only spaces; give the name of the person taking over, or null to hand back to the agent']);
    const missing = await c.patch({});
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('taken_over_by');
    const long = await c.patch({ taken_over_by: 'x'.repeat(101) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toContain('taken_over_by');
    const unknown = await c.patch({ taken_over_by: 'Sam', agent: 'off' });
    expect([unknown.status, unknown.body.error.message]).toEqual([400, expect.stringContaining('unknown field "agent"')]);
    const other = await createAccount(hub.store.db, 'Other');
    const foreign = await c.patch({ taken_over_by: 'Eve' }, other.secret_key);
    expect(foreign.status).toBe(404);
    expect((await hub.api(`/api/v1/conversations/${c.id}`)).body.taken_over_by).toBeNull();
  });
});
