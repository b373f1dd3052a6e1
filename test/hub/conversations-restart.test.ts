/**
 * A hub that stops mid-reply leaves a consistent conversation: a graceful stop lets the reply finish
 * and stores it; a process that vanished (its lease left behind) is swept by the next process, which
 * marks the reply failed (`hub_restarted`) and answers what was never answered.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccount } from '../../src/hub/accounts/repo.js';
import { memoryBus } from '../../src/hub/conversations/bus.js';
import { claimTurn, insertMessage } from '../../src/hub/conversations/repo.js';
import { sweepOnce } from '../../src/hub/conversations/sweep.js';
import type { TurnRunner } from '../../src/hub/conversations/turns.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS, testDatabase, type TestDatabase } from '../helpers/databases.js';
import { agentServer } from './conversations/agent-server.js';
import { openEvents } from './conversations/events-client.js';
import { hubOn } from './conversations/restartable.js';

const SITE = 'https://restart.example';

async function json(url: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function handshake(url: string, clientKey: string) {
  const res = await fetch(`${url}/api/v1/widget/handshake`, { method: 'POST', headers: { origin: SITE, 'content-type': 'text/plain' }, body: JSON.stringify({ client_key: clientKey }) });
  return ((await res.json()) as { session_token: string }).session_token;
}

describe.each(DIALECTS)('restart recovery on %s', (dialect) => {
  let db: TestDatabase;
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await db?.drop();
  });

  /** A hub on a fresh database, an account whose agent is `webhookUrl`, a key, a session and a conversation. */
  async function setup(webhookUrl: string) {
    db = await testDatabase(dialect);
    const hub = await hubOn(db);
    const account = await createAccount(hub.store.db, 'Restart');
    const agent = await json(`${hub.url}/api/v1/agents`, { method: 'POST', token: account.secret_key, body: { name: 'Slow', webhook_url: webhookUrl } });
    const key = await json(`${hub.url}/api/v1/widget-keys`, { method: 'POST', token: account.secret_key, body: { name: 'k', domain_allowlist: ['restart.example'], agent_id: agent.body.id } });
    const token = await handshake(hub.url, key.body.key);
    const conversation = (await json(hub.url + WIDGET_API.conversations, { method: 'POST', token, body: {} })).body.id as string;
    return { hub, key: key.body.key as string, token, conversation };
  }

  it('a graceful stop lets the reply in flight finish and stores it; the next hub replays it', async () => {
    const agent = await agentServer({ kind: 'stream' });
    cleanups.push(() => agent.stop());
    const { hub, key, token, conversation } = await setup(agent.url);
    const first = await openEvents(hub.url, token, conversation);
    await json(hub.url + WIDGET_API.messages(conversation), { method: 'POST', token, body: { text: 'Long question' } });
    const s = await agent.nextStream();
    s.delta('Partial ');
    await first.until((es) => es.some((e) => e.event === 'message.delta'));
    const stopped = hub.stop();
    // The open stream ends at once (its reader resumes elsewhere); the turn goes on until the agent is done.
    await first.ended;
    s.delta('and the rest.');
    s.done();
    await stopped;

    const next = await hubOn(db);
    cleanups.push(() => next.stop());
    const again = await openEvents(next.url, await handshake(next.url, key), conversation, first.lastId());
    const events = await again.until((es) => es.some((e) => e.event === 'message.completed'));
    again.close();
    expect(events.map((e) => e.event)).toEqual(['message.completed']);
    expect(events[0]!.data.message).toMatchObject({ role: 'agent', status: 'completed', text: 'Partial and the rest.' });
  });

  it("sweeps a reply whose lease ends between the sweep's two reads before a new turn can hide it", async () => {
    const agent = await agentServer({ kind: 'json', reply: 'unused' });
    cleanups.push(() => agent.stop());
    const { hub, conversation } = await setup(agent.url);
    cleanups.push(() => hub.stop());
    await insertMessage(hub.store.db, conversation, { role: 'visitor', text: 'Still there?', status: 'completed' });
    const reply = (await insertMessage(hub.store.db, conversation, { role: 'agent', text: '', status: 'streaming' })).message.id;
    const leaseEnd = Date.now() + 60_000;
    await hub.store.db.updateTable('conversations').set({ turn_owner: 'hub_gone', turn_lease_until: new Date(leaseEnd).toISOString() }).where('id', '=', conversation).execute();
    // The clock (the edge of the world) stands 1 ms before the lease's end for the sweep's first read and
    // has passed it for every read after.
    vi.useFakeTimers({ toFake: ['Date'], now: leaseEnd - 1 });
    cleanups.push(async () => vi.useRealTimers());
    const db = hub.store.db.withPlugin({ transformQuery: (q) => q.node, transformResult: async (r) => (vi.setSystemTime(leaseEnd + 1), r.result) });
    // A kick starts a turn as the real runner does: it claims the lease (and keeps it while the agent answers).
    const claims: Promise<boolean>[] = [];
    const turns = { kick: (id: string) => void claims.push(claimTurn(hub.store.db, id, 'next_turn', 60_000)) } as unknown as TurnRunner;
    const store = { ...hub.store, db };
    const bus = memoryBus();
    await sweepOnce(store, bus, turns);
    await Promise.all(claims);
    await sweepOnce(store, bus, turns);
    await Promise.all(claims);
    const stored = await hub.store.db.selectFrom('messages').select(['status', 'failure_type']).where('id', '=', reply).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'failed', failure_type: 'hub_restarted' });
    // What was never answered still gets its turn, after the orphan is ended.
    expect(claims).toHaveLength(1);
  });

  it('sweeps a reply left streaming by a vanished process and answers the question again', async () => {
    const agent = await agentServer({ kind: 'json', reply: 'Answered after all' });
    cleanups.push(() => agent.stop());
    const { hub, key, conversation } = await setup(agent.url);
    // What a process that died mid-reply leaves: a visitor message, a streaming reply, a lease run out.
    await insertMessage(hub.store.db, conversation, { role: 'visitor', text: 'Still there?', status: 'completed' });
    await insertMessage(hub.store.db, conversation, { role: 'agent', text: '', status: 'streaming' });
    await hub.store.db.updateTable('conversations').set({ turn_owner: 'hub_gone', turn_lease_until: new Date(Date.now() - 1_000).toISOString() }).where('id', '=', conversation).execute();
    await hub.stop();

    const next = await hubOn(db);
    cleanups.push(() => next.stop());
    const stream = await openEvents(next.url, await handshake(next.url, key), conversation);
    const events = await stream.until((es) => es.some((e) => e.event === 'message.completed' || (e.event === 'message.created' && e.data.message.text === 'Answered after all')));
    stream.close();
    expect(events.find((e) => e.event === 'message.failed')?.data).toMatchObject({ error: { type: 'hub_restarted' }, message: { status: 'failed' } });
    expect(agent.requests.map((r) => r.body.message.text)).toEqual(['Still there?']);
    const list = await json(next.url + WIDGET_API.messages(conversation), { token: await handshake(next.url, key) });
    expect(list.body.data.map((m: { role: string; status: string }) => `${m.role}:${m.status}`)).toEqual(['visitor:completed', 'agent:failed', 'agent:completed']);
  });
});
