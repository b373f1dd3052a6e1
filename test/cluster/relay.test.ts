/**
 * The live relay across two hub processes on one PostgreSQL and one Redis: a reply produced by one
 * process streams to a visitor reading from the other; a reader resumes on the other process mid-reply;
 * one turn at a time across both; the message limit holds across both; a process killed mid-reply
 * leaves a reply the other one ends as failed within the lease bound; a person taking over through one
 * process keeps the agent quiet for posts on the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { testDatabase, type TestDatabase } from '../helpers/databases.js';
import { agentServer } from '../hub/conversations/agent-server.js';
import { openEvents, textOf } from '../hub/conversations/events-client.js';
import { call } from '../helpers/http.js';
import { handshakeAt } from '../helpers/widget.js';
import { createAccountViaCli, freshMinuteWindow, REDIS_URL, SESSION_SECRET, skipReason, spawnHub, type HubProcess } from './support.js';

const skip = skipReason('relay cluster tests', 'postgres', 'redis');
const SITE = 'https://relay.example';
const LEASE_MS = 1_500;
const CONVERSATION_LIMIT = 4;

describe.skipIf(skip)('the relay across two hub processes', () => {
  let db: TestDatabase;
  let a: HubProcess;
  let b: HubProcess;
  let agent: Awaited<ReturnType<typeof agentServer>>;
  let clientKey: string;
  let secretKey: string;

  beforeAll(async () => {
    db = await testDatabase('postgres');
    agent = await agentServer({ kind: 'stream' });
    const env = {
      KATAVEN_DATABASE_URL: db.databaseUrl!,
      KATAVEN_REDIS_URL: REDIS_URL!,
      KATAVEN_SESSION_SECRET: SESSION_SECRET,
      KATAVEN_DATA_DIR: db.dataDir,
      KATAVEN_SESSION_RATE_LIMIT: '100000',
      KATAVEN_MESSAGE_RATE_LIMIT_IP: '0',
      KATAVEN_MESSAGE_RATE_LIMIT_KEY: '0',
      KATAVEN_MESSAGE_RATE_LIMIT_CONVERSATION: String(CONVERSATION_LIMIT),
      KATAVEN_CONVERSATION_RATE_LIMIT_IP: '0',
      KATAVEN_TURN_LEASE_MS: String(LEASE_MS),
      // The agent server of this test listens on 127.0.0.1.
      KATAVEN_ALLOW_PRIVATE_WEBHOOKS: 'true',
    };
    [a, b] = await Promise.all([spawnHub('A', env), spawnHub('B', env)]);
    const { secret_key } = await createAccountViaCli(env);
    secretKey = secret_key;
    const created = await call(a.url, 'POST', '/api/v1/agents', { key: secret_key, body: { name: 'Streamer', webhook_url: agent.url } });
    const key = await call(a.url, 'POST', '/api/v1/widget-keys', { key: secret_key, body: { name: 'k', domain_allowlist: ['relay.example'], agent_id: created.body.id } });
    clientKey = key.body.key;
  }, 60_000);

  afterAll(async () => {
    // The agent first: a turn still waiting on it (B answering what A left) ends now, not at its timeout.
    await agent?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  const session = async (hub: HubProcess) => (await handshakeAt(hub.url, clientKey, SITE)).body.session_token as string;
  const conversation = async (hub: HubProcess, token: string) => (await call(hub.url, 'POST', WIDGET_API.conversations, { key: token, body: {} })).body.id as string;
  const post = (hub: HubProcess, token: string, id: string, text: string) => call(hub.url, 'POST', WIDGET_API.messages(id), { key: token, body: { text } });

  it('streams a reply produced by A to a visitor reading from B, delta by delta', async () => {
    const token = await session(a);
    const id = await conversation(a, token);
    const onB = await openEvents(b.url, token, id);
    expect((await post(a, token, id, 'Hello from A')).status).toBe(202);
    const s = await agent.nextStream();
    for (const word of ['Relayed ', 'across ', 'processes.']) {
      const before = onB.events.filter((e) => e.event === 'message.delta').length;
      s.delta(word);
      // Each delta reaches B before the next is written: streamed, not delivered at the end.
      await onB.until((es) => es.filter((e) => e.event === 'message.delta').length === before + 1);
    }
    s.done();
    const events = await onB.until((es) => es.some((e) => e.event === 'message.completed'));
    onB.close();
    expect(events.at(-1)!.data.message).toMatchObject({ text: 'Relayed across processes.', status: 'completed' });
    expect(events.map((e) => e.event)).toEqual(['message.created', 'message.created', 'message.delta', 'message.delta', 'message.delta', 'message.completed']);
  });

  it('resumes on B, mid-reply, where the reader left A: no loss, no repeats', async () => {
    const token = await session(b);
    const id = await conversation(b, token);
    const onA = await openEvents(a.url, token, id);
    await post(b, token, id, 'Resume me');
    const s = await agent.nextStream();
    s.delta('one ');
    await onA.until((es) => es.some((e) => e.event === 'message.delta'));
    onA.close();
    s.delta('two ');
    s.delta('three');
    const messageId = onA.events.find((e) => e.data.message?.role === 'agent')!.data.message.id;
    const onB = await openEvents(b.url, token, id, onA.lastId());
    await onB.until((es) => textOf([...onA.events, ...es], messageId) === 'one two three');
    s.done();
    await onB.until((es) => es.some((e) => e.event === 'message.completed'));
    onB.close();
    // "three" may arrive in the replay or live after it, depending on when B read: either way once.
    const deltas = onB.events.filter((e) => e.event === 'message.delta');
    expect(onB.events.map((e) => e.event)).toEqual([...deltas.map(() => 'message.delta'), 'message.completed']);
    expect(deltas.map((e) => e.data.text).join('')).toBe('two three');
  });

  it('runs one turn at a time across both processes: posts while a reply is in flight wait for the next turn', async () => {
    const token = await session(a);
    const id = await conversation(a, token);
    const requestsBefore = agent.requests.length;
    await post(a, token, id, 'First');
    const s1 = await agent.nextStream();
    const [x, y] = await Promise.all([post(a, token, id, 'Second via A'), post(b, token, id, 'Third via B')]);
    expect([x.status, y.status]).toEqual([202, 202]);
    s1.delta('Reply one');
    s1.done();
    const s2 = await agent.nextStream();
    expect([s2.body.message.text, ...s2.body.history.map((m: { text: string }) => m.text)]).toEqual(
      expect.arrayContaining(['First', 'Second via A', 'Third via B', 'Reply one']),
    );
    s2.delta('Reply two');
    s2.done();
    const reader = await openEvents(b.url, token, id);
    await reader.until((es) => es.filter((e) => e.data.message?.text === 'Reply two' && e.data.message.status === 'completed').length === 1);
    reader.close();
    expect(agent.requests.length - requestsBefore).toBe(2);
  });

  it('a person who takes over through A is named to a reader on B, and a post on B calls no agent', async () => {
    const token = await session(a);
    const id = await conversation(a, token);
    const onB = await openEvents(b.url, token, id);
    await onB.until(() => onB.states.length === 1);
    expect((await call(a.url, 'PATCH', `/api/v1/conversations/${id}`, { key: secretKey, body: { taken_over_by: 'Sam' } })).status).toBe(200);
    await onB.until(() => onB.states.includes('Sam'));
    const requestsBefore = agent.requests.length;
    expect((await post(b, token, id, 'Is Sam there?')).status).toBe(202);
    // The turn that found the conversation taken over ends the typing signal, on whichever process ran it.
    await onB.until((es) => es.some((e) => e.event === 'agent.status' && e.data.text === ''));
    onB.close();
    expect(agent.requests.length).toBe(requestsBefore);
  });

  it(`allows ${CONVERSATION_LIMIT} messages per conversation per minute across both processes`, async () => {
    agent.setMode({ kind: 'accepted' });
    try {
      await freshMinuteWindow(10_000);
      const token = await session(a);
      const id = await conversation(a, token);
      const statuses: number[] = [];
      for (let i = 0; i < CONVERSATION_LIMIT + 2; i++) statuses.push((await post(i % 2 ? b : a, token, id, `m${i}`)).status);
      expect(statuses).toEqual([...Array(CONVERSATION_LIMIT).fill(202), 429, 429]);
    } finally {
      agent.setMode({ kind: 'stream' });
    }
  });

  it('ends, through B, the reply of A killed mid-reply: failed as hub_restarted with its partial text, within the lease bound', async () => {
    const token = await session(a);
    const id = await conversation(a, token);
    const onB = await openEvents(b.url, token, id);
    await post(a, token, id, 'Are you there?');
    // This conversation's turn: the test before leaves queued turns that reach the webhook later.
    const s = await agent.nextStream((body) => body.message.text === 'Are you there?');
    s.delta('Half of ');
    await onB.until((es) => es.some((e) => e.event === 'message.delta'));
    a.child.kill('SIGKILL');
    await a.exited;
    const killedAt = performance.now();
    // Lease (renewed every lease/3) plus one sweep interval (lease/3), plus slack for two busy cores.
    const events = await onB.until((es) => es.some((e) => e.event === 'message.failed'), LEASE_MS * 2 + 3_000);
    const ms = performance.now() - killedAt;
    onB.close();
    expect(events.at(-1)!.data).toMatchObject({ error: { type: 'hub_restarted' }, message: { text: 'Half of ', status: 'failed' } });
    console.info(`[cluster] reply of a killed process ended by the other after ${Math.round(ms)} ms (lease ${LEASE_MS} ms)`);
  });
});
