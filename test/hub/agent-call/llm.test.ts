/** The built-in OpenAI-compatible agent against a small server speaking that protocol (no real model). */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { LlmTarget } from '../../../src/hub/agent-call/call.js';
import { visitorContext } from '../../../src/hub/agent-call/llm.js';
import { agentServer, expectNothingInternal, messageEvent, ROOMY, run, type AgentServer } from './support.js';

const API_KEY = 'sk-test-a1b2c3d4e5f6';

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const llm = (s: AgentServer, overrides: Partial<LlmTarget> = {}): LlmTarget => ({
  kind: 'llm',
  name: 'Ada',
  base_url: `${s.url}/v1`,
  model: 'tiny-model',
  api_key: API_KEY,
  system_prompt: 'You answer for Acme Outdoor. Be brief.',
  ...overrides,
});

/** One chunk the way OpenAI's streaming API writes it. */
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'tiny-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

function stream(res: ServerResponse, parts: string[], end = true) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  for (const part of parts) res.write(part);
  if (end) res.end();
}

const serve = async (handler: Parameters<typeof agentServer>[0]) => (server = await agentServer(handler));
const complete = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Your order ' }), chunk({ content: 'ships today.' }), chunk({}, 'stop'), 'data: [DONE]\n\n'];

describe('streaming', () => {
  it('relays each content delta until [DONE]', async () => {
    const s = await serve((res) => stream(res, complete));
    const out = await run(llm(s));
    expect(out.failure).toBeUndefined();
    expect(out.chunks).toEqual([
      { type: 'delta', text: 'Your order ' },
      { type: 'delta', text: 'ships today.' },
    ]);
  });

  it('posts the system prompt and the conversation, with the api_key as a bearer token', async () => {
    const s = await serve((res) => stream(res, complete));
    await run(llm(s));
    const [request] = s.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/v1/chat/completions');
    expect(request!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.parse(request!.body)).toEqual({
      model: 'tiny-model',
      stream: true,
      messages: [
        { role: 'system', content: `You answer for Acme Outdoor. Be brief.\n\n${visitorContext({ verified: false })}` },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello! How can I help?' },
        { role: 'user', content: 'Where is my order?' },
      ],
    });
  });

  it('sends no Authorization without a key, a system message of the visitor alone without a prompt, and takes a base_url ending in /', async () => {
    const s = await serve((res) => stream(res, complete));
    await run(llm(s, { api_key: null, system_prompt: null, base_url: `${s.url}/v1/` }));
    const [request] = s.requests;
    expect(request!.url).toBe('/v1/chat/completions');
    expect(request!.headers.authorization).toBeUndefined();
    expect(JSON.parse(request!.body).messages.slice(0, 2)).toEqual([{ role: 'system', content: visitorContext({ verified: false }) }, { role: 'user', content: 'Hi' }]);
  });

  it('leaves failed and unfinished replies out of the conversation, and a person speaks as assistant', async () => {
    const s = await serve((res) => stream(res, complete));
    const event = messageEvent('Still there?');
    event.history = [
      { id: 'm1', role: 'visitor', text: 'Hi', created_at: '', status: 'completed', author_name: null },
      { id: 'm2', role: 'agent', text: 'Half an ans', created_at: '', status: 'failed', author_name: null },
      { id: 'm3', role: 'person', text: 'Sam here, I can help.', created_at: '', status: 'completed', author_name: 'Sam' },
    ];
    await run(llm(s, { system_prompt: null }), {}, event);
    expect(JSON.parse(s.requests[0]!.body).messages).toEqual([
      { role: 'system', content: visitorContext({ verified: false }) },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Sam here, I can help.' },
      { role: 'user', content: 'Still there?' },
    ]);
  });

  it("tells the model a verified visitor's id, name and email after the prompt", async () => {
    const s = await serve((res) => stream(res, complete));
    const event = messageEvent();
    event.visitor = { verified: true, id: 'user_42', name: 'Ada', email: 'ada@shop.example' };
    await run(llm(s), {}, event);
    const system = JSON.parse(s.requests[0]!.body).messages[0];
    expect(system.role).toBe('system');
    expect(system.content).toMatch(/^You answer for Acme Outdoor\. Be brief\.\n\nVisitor: \{"verified":true,"id":"user_42","name":"Ada","email":"ada@shop\.example"\}/);
  });

  it('completes a stream that ends after finish_reason without [DONE]', async () => {
    const s = await serve((res) => stream(res, complete.slice(0, -1)));
    expect((await run(llm(s))).text).toBe('Your order ships today.');
  });

  it('takes a whole JSON completion from a server that does not stream', async () => {
    const s = await serve((res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Whole answer.' } }] })));
    expect((await run(llm(s))).text).toBe('Whole answer.');
  });
});

describe('failure modes', () => {
  it('a 401 is agent_unavailable, and the key the server echoes never reaches the detail', async () => {
    const s = await serve((res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}` } })));
    const out = await run(llm(s));
    expect(out.failure?.type).toBe('agent_unavailable');
    expect(out.failure?.detail).toBe("the model server answered HTTP 401 (check the agent's llm.api_key): Incorrect API key provided: [api_key]");
    expect(JSON.stringify(out.failure)).not.toContain(API_KEY);
    expect(out.failure?.message).not.toContain(API_KEY);
    expectNothingInternal(out.failure!.message, s);
  });

  it('a 429 is agent_unavailable, with Retry-After in the detail', async () => {
    const s = await serve((res) => res.writeHead(429, { 'retry-after': '20', 'content-type': 'application/json' }).end('{"error":{"message":"Rate limit reached"}}'));
    const out = await run(llm(s));
    expect(out.failure?.type).toBe('agent_unavailable');
    expect(out.failure?.detail).toMatch(/HTTP 429 \(rate limited or out of quota, retry after 20 s\): Rate limit reached/);
  });

  it('a 404 says what base_url usually looks like', async () => {
    const s = await serve((res) => res.writeHead(404).end());
    const out = await run(llm(s, { base_url: s.url }));
    expect(out.failure?.detail).toMatch(/HTTP 404 \(no .*\/chat\/completions, or no model "tiny-model": base_url usually ends in \/v1\)/);
  });

  it('a stream that stops half-way fails, the text so far kept', async () => {
    const s = await serve((res) => stream(res, complete.slice(0, 2)));
    const out = await run(llm(s));
    expect(out.text).toBe('Your order ');
    expect(out.failure?.type).toBe('agent_unavailable');
    expect(out.failure?.detail).toBe("the model server's stream ended before [DONE]");
  });

  it('an error sent mid-stream fails with its message', async () => {
    const s = await serve((res) => stream(res, [chunk({ content: 'Your' }), 'data: {"error":{"message":"model overloaded"}}\n\n']));
    const out = await run(llm(s));
    expect(out.failure?.detail).toBe('the model server reported an error: model overloaded');
  });

  it('data that is not JSON is agent_bad_answer', async () => {
    const s = await serve((res) => stream(res, ['data: {"choices": [\n\n']));
    expect((await run(llm(s))).failure?.type).toBe('agent_bad_answer');
  });

  it('a server that never answers times out at the first-byte limit', async () => {
    const s = await serve(() => {});
    const out = await run(llm(s), { limits: { ...ROOMY, firstByteMs: 100 } });
    expect(out.failure?.type).toBe('agent_timeout');
    expect(out.failure?.detail).toMatch(/first-byte limit/);
  });

  it('a model that stalls mid-answer times out at the idle limit', async () => {
    const s = await serve((res) => stream(res, complete.slice(0, 2), false));
    const out = await run(llm(s), { limits: { ...ROOMY, idleMs: 100 } });
    expect(out.text).toBe('Your order ');
    expect(out.failure?.detail).toMatch(/idle limit/);
  });

  it('a model base_url on loopback is refused unless private networks are allowed', async () => {
    const s = await serve((res) => stream(res, complete));
    const out = await run(llm(s), { allowPrivate: false });
    expect(out.failure?.detail).toMatch(/^refused to send: llm\.base_url points at 127\.0\.0\.1, a loopback address/);
    expect(s.requests).toHaveLength(0);
  });
});
