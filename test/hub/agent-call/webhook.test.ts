/** A webhook agent's three ways to answer, and every way it can fail, over real local HTTP servers. */
import { afterEach, describe, expect, it } from 'vitest';
import { agentServer, expectNothingInternal, ROOMY, run, sse, webhook, type AgentServer } from './support.js';

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const serve = async (handler: Parameters<typeof agentServer>[0]) => (server = await agentServer(handler));

describe('answers', () => {
  it('takes a JSON reply whole', async () => {
    const s = await serve((res) => res.setHeader('content-type', 'application/json; charset=utf-8').end(JSON.stringify({ reply: 'Your order ships **today**.' })));
    const out = await run(webhook(s));
    expect(out.failure).toBeUndefined();
    expect(out.chunks).toEqual([{ type: 'delta', text: 'Your order ships **today**.' }]);
    expect(out.result).toEqual({ accepted: false });
  });

  it('relays a streamed reply delta by delta, with its status line', async () => {
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse('status', { text: 'Searching the catalogue…' }));
      res.write(sse('delta', { text: 'Your order ' }));
      res.write(sse('delta', { text: 'ships today.' }));
      res.end(sse('done', {}));
    });
    const out = await run(webhook(s));
    expect(out.chunks).toEqual([
      { type: 'status', text: 'Searching the catalogue…' },
      { type: 'delta', text: 'Your order ' },
      { type: 'delta', text: 'ships today.' },
    ]);
    expect(out.result).toEqual({ accepted: false });
  });

  it('reads CRLF lines, comments, multi-line data, split writes and ignores unknown events', async () => {
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': keep-alive\r\n\r\n');
      res.write('event: delta\r\ndata: {"text":\r\ndata: "one "}\r\n\r\n');
      res.write('event: tool_call\r\ndata: {"name": "search"}\r\n\r\n');
      res.write('event: delta\r');
      res.write('\ndata: {"text": "two é');
      res.write('"}\r\n\r\nevent: done\r\n');
      res.end();
    });
    const out = await run(webhook(s));
    expect(out.failure).toBeUndefined();
    expect(out.text).toBe('one two é');
  });

  it('returns accepted for a 202 and yields nothing', async () => {
    const s = await serve((res) => res.writeHead(202).end());
    const out = await run(webhook(s));
    expect(out).toMatchObject({ chunks: [], result: { accepted: true } });
  });

  it('posts the event as JSON with the Standard Webhooks headers', async () => {
    const s = await serve((res) => res.writeHead(202).end());
    await run(webhook(s));
    const [request] = s.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/hook');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.accept).toBe('text/event-stream, application/json');
    expect(request!.headers['webhook-id']).toMatch(/^evt_\w+$/);
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'message.created', conversation_id: 'conv_test', context: { origin: 'https://shop.example' } });
  });
});

describe('failures', () => {
  const cases: [claim: string, handler: Parameters<typeof agentServer>[0], type: string, detail: RegExp][] = [
    ['a 500 is agent_unavailable, the status in the detail', (res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"db down"}'), 'agent_unavailable', /HTTP 500: db down/],
    ['a 401 is agent_unavailable', (res) => res.writeHead(401).end('bad signature'), 'agent_unavailable', /HTTP 401: bad signature/],
    ['a redirect is refused, not followed', (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end(), 'agent_bad_answer', /redirect.*refused/],
    ['a body that is not JSON', (res) => res.setHeader('content-type', 'application/json').end('<html>'), 'agent_bad_answer', /not JSON/],
    ['a JSON answer without reply', (res) => res.setHeader('content-type', 'application/json').end('{"answer":"hi"}'), 'agent_bad_answer', /no "reply" string/],
    ['an empty reply', (res) => res.setHeader('content-type', 'application/json').end('{"reply":""}'), 'agent_bad_answer', /without any reply text/],
    ['another content type', (res) => res.setHeader('content-type', 'text/plain').end('hi'), 'agent_bad_answer', /content-type text\/plain/],
    ['a delta whose data is not {"text"}', (res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(sse('delta', 'hello')), 'agent_bad_answer', /event: delta with data "hello"/],
    ['event: error', (res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(sse('delta', { text: 'Let me' }) + sse('error', { message: 'tool crashed' })), 'agent_unavailable', /event: error: tool crashed/],
    ['a stream that stops without done', (res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(sse('delta', { text: 'Half an ' })), 'agent_unavailable', /ended before event: done/],
    ['a connection cut mid-stream', (res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write(sse('delta', { text: 'Half' }), () => res.destroy()); }, 'agent_unavailable', /connection broke mid-answer \(ECONNRESET\)/],
  ];
  for (const [claim, handler, type, detail] of cases) {
    it(`${claim} (${type})`, async () => {
      const s = await serve(handler);
      const out = await run(webhook(s));
      expect(out.failure?.type).toBe(type);
      expect(out.failure?.detail).toMatch(detail);
      expect(out.failure?.message).toMatch(/^Ada /);
      expectNothingInternal(out.failure!.message, s);
    });
  }

  it('keeps the deltas that came before a failure', async () => {
    const s = await serve((res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(sse('delta', { text: 'Half an ' })));
    const out = await run(webhook(s));
    expect(out.text).toBe('Half an ');
    expect(out.failure?.type).toBe('agent_unavailable');
  });

  it('fails a server that never answers at the first-byte limit', async () => {
    const s = await serve(() => {});
    const out = await run(webhook(s), { limits: { ...ROOMY, firstByteMs: 100 } });
    expect(out.failure?.type).toBe('agent_timeout');
    expect(out.failure?.detail).toMatch(/no response headers within 100 ms/);
    expect(out.failure?.message).toBe('Ada took too long to answer. Your message was kept; please try again.');
  });

  it('fails a stream that goes silent between deltas at the idle limit', async () => {
    const s = await serve((res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).write(sse('delta', { text: 'Thinking' })));
    const out = await run(webhook(s), { limits: { ...ROOMY, idleMs: 100 } });
    expect(out.failure?.type).toBe('agent_timeout');
    expect(out.failure?.detail).toMatch(/silent for 100 ms/);
    expect(out.text).toBe('Thinking');
  });

  it('fails a stream that never ends at the total limit, heartbeats or not', async () => {
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const beat = setInterval(() => res.write(': still here\n\n'), 10);
      res.on('close', () => clearInterval(beat));
    });
    const out = await run(webhook(s), { limits: { ...ROOMY, totalMs: 300 } });
    expect(out.failure?.type).toBe('agent_timeout');
    expect(out.failure?.detail).toMatch(/total limit/);
  });

  it('cuts a reply at the size cap, keeping the text up to it', async () => {
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 5; i++) res.write(sse('delta', { text: '0123456789' }));
      res.end(sse('done', {}));
    });
    const out = await run(webhook(s), { limits: { ...ROOMY, maxReplyChars: 25 } });
    expect(out.failure?.type).toBe('agent_too_long');
    expect(out.text).toBe('0123456789012345678901234');
    expect(out.failure?.message).toBe("Ada's answer was too long and was cut short.");
  });

  it('refuses a JSON reply over the cap', async () => {
    const s = await serve((res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ reply: 'x'.repeat(30) })));
    const out = await run(webhook(s), { limits: { ...ROOMY, maxReplyChars: 20 } });
    expect(out.failure?.type).toBe('agent_too_long');
    expect(out.text).toBe('x'.repeat(20));
  });

  it('refuses one endless event without holding it all', async () => {
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: delta\ndata: "');
      const flood = setInterval(() => res.write('x'.repeat(64 * 1024)), 1);
      res.on('close', () => clearInterval(flood));
    });
    const out = await run(webhook(s));
    expect(out.failure?.type).toBe('agent_too_long');
    expect(out.failure?.detail).toMatch(/an event passed/);
  });

  it('cuts no character in half at the cap', async () => {
    const s = await serve((res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ reply: 'ab😀cd' })));
    const out = await run(webhook(s), { limits: { ...ROOMY, maxReplyChars: 3 } });
    expect(out.text).toBe('ab');
  });

  it('reports an unreachable agent without its address', async () => {
    const s = await serve(() => {});
    await s.close();
    const out = await run(webhook(s));
    expect(out.failure?.type).toBe('agent_unavailable');
    expect(out.failure?.detail).toMatch(/could not reach 127\.0\.0\.1:\d+: ECONNREFUSED/);
    expectNothingInternal(out.failure!.message, s);
  });

  it('ends with the caller\'s reason when the caller aborts, and closes the connection', async () => {
    let closed!: Promise<void>;
    const s = await serve((res) => {
      closed = new Promise((resolve) => res.on('close', resolve));
      res.writeHead(200, { 'content-type': 'text/event-stream' }).write(sse('delta', { text: 'Hel' }));
    });
    const controller = new AbortController();
    const reason = new Error('hub shutting down');
    const outcome = run(webhook(s), { signal: controller.signal });
    await expect.poll(() => s.requests.length).toBe(1);
    controller.abort(reason);
    await expect(outcome).rejects.toBe(reason);
    await closed;
  });
});
