/**
 * An llm agent end to end: a visitor's message answered by a small OpenAI-compatible server the test
 * starts (the edge of the world: no real model), streamed on the events stream; and its key in no log line.
 */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitorContext } from '../../src/hub/agent-call/llm.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake, widgetCall } from '../helpers/widget.js';
import { agentServer, type AgentServer, type ReceivedRequest } from './agent-call/support.js';
import { openEvents, textOf } from './conversations/events-client.js';

const API_KEY = 'sk-test-Hq4vN8cX2mLs7KdE';
const WORDS = ['Your ', 'order ', 'ships ', 'today.'];

/** One chunk as OpenAI's streaming API writes it. */
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** A model server: streams WORDS for the right key; a 401 that echoes a wrong one, as some servers do. */
function model(res: ServerResponse, req: ReceivedRequest) {
  if (req.headers.authorization !== `Bearer ${API_KEY}`) {
    res.writeHead(401, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization}` } }));
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const word of WORDS) res.write(chunk({ content: word }));
  res.end(chunk({}, 'stop') + 'data: [DONE]\n\n');
}

describe.each(DIALECTS)('an llm agent answering a visitor on %s', (dialect) => {
  let hub: TestHub;
  let server: AgentServer;
  const lines: string[] = [];
  beforeAll(async () => {
    server = await agentServer(model);
    const logStream = new Writable({ write: (c, _enc, done) => (lines.push(String(c)), done()) });
    hub = await startTestHub(dialect, { logLevel: 'debug', webhookTimeoutMs: 5_000 }, { logStream });
  });
  afterAll(async () => {
    await hub.close();
    await server.close();
  });

  /** A visitor of a new widget key on `agentId`, with a conversation and its events stream open. */
  async function visitor(agentId: string, site: string) {
    const key = await createKey(hub, [site], { agent_id: agentId });
    const token = (await handshake(hub, key.key, `https://${site}`)).body.session_token as string;
    const id = (await widgetCall(hub, token, 'POST', WIDGET_API.conversations, {})).body.id as string;
    const events = await openEvents(hub.url, token, id);
    return { events, post: (text: string) => widgetCall(hub, token, 'POST', WIDGET_API.messages(id), { text }) };
  }

  it("streams the model's answer to the visitor, asked with the system prompt and the key", async () => {
    const agent = await hub.api('/api/v1/agents', {
      method: 'POST',
      body: { name: 'Ada', llm: { base_url: `${server.url}/v1`, model: 'tiny-model', api_key: API_KEY, system_prompt: 'You answer for Acme.' } },
    });
    const v = await visitor(agent.body.id, 'llm.example');
    expect((await v.post('Where is my order?')).status).toBe(202);
    const events = await v.events.until((es) => es.some((e) => e.event === 'message.completed' || e.event === 'message.failed'));
    v.events.close();
    const completed = events.find((e) => e.event === 'message.completed')?.data.message;
    expect(completed).toMatchObject({ role: 'agent', status: 'completed', text: WORDS.join('') });
    expect(events.some((e) => e.event === 'message.delta')).toBe(true);
    expect(textOf(events.slice(0, -1), completed.id)).toBe(completed.text);
    const request = server.requests.at(-1)!;
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.parse(request.body)).toMatchObject({
      model: 'tiny-model',
      stream: true,
      messages: [{ role: 'system', content: `You answer for Acme.\n\n${visitorContext({ verified: false })}` }, { role: 'user', content: 'Where is my order?' }],
    });
  });

  it('sends the kept key after an update that left api_key out', async () => {
    const agent = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Bo', llm: { base_url: `${server.url}/v1`, model: 'a', api_key: API_KEY } } });
    await hub.api(`/api/v1/agents/${agent.body.id}`, { method: 'PATCH', body: { llm: { base_url: `${server.url}/v1`, model: 'b' } } });
    const v = await visitor(agent.body.id, 'kept.example');
    await v.post('Hi');
    await v.events.until((es) => es.some((e) => e.event === 'message.completed'));
    v.events.close();
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.parse(server.requests.at(-1)!.body).model).toBe('b');
  });

  it('logs no api_key at debug level: not from the Admin API, nor from a model server that echoes it', async () => {
    const wrongKey = 'sk-test-wrong-Yy3bT6uP0aJ9';
    const agent = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Cy', llm: { base_url: `${server.url}/v1`, model: 'm', api_key: wrongKey } } });
    // A refused body carrying a key, and an update carrying one.
    await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'X', webhook_url: 'https://a.example/h', llm: { base_url: 'https://a.example/v1', model: 'm', api_key: API_KEY } } });
    await hub.api(`/api/v1/agents/${agent.body.id}`, { method: 'PATCH', body: { llm: { base_url: `${server.url}/v1`, model: 'm', api_key: wrongKey } } });
    const v = await visitor(agent.body.id, 'echo.example');
    await v.post('Hello?');
    const events = await v.events.until((es) => es.some((e) => e.event === 'message.failed'));
    v.events.close();
    expect(JSON.stringify(events)).not.toContain(wrongKey);
    await expect.poll(() => lines.some((l) => l.includes('agent reply failed'))).toBe(true);
    const failure = JSON.parse(lines.find((l) => l.includes('agent reply failed') && l.includes('401'))!);
    expect(failure.detail).toContain('[api_key]');
    // Debug level logs every request: the lines are there, the keys are not.
    expect(lines.filter((l) => l.includes('"url":"/api/v1/agents')).length).toBeGreaterThanOrEqual(3);
    const log = lines.join('');
    expect(log).not.toContain(wrongKey);
    expect(log).not.toContain(API_KEY);
  });
});
