/**
 * Prometheus metrics over real HTTP on both databases: they move as handshakes, refusals, rate limits and
 * agent replies happen; they carry no key, origin, conversation or account; they are served on their own
 * listener, or on the public port only to the metrics token.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { call } from '../helpers/http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake, widgetCall } from '../helpers/widget.js';
import { agentServer as modelServer } from './agent-call/support.js';
import { agentServer } from './conversations/agent-server.js';
import { openEvents, type Received } from './conversations/events-client.js';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';
const ROOMY = { sessionRateLimit: 10_000, messageRateLimitIp: 0, messageRateLimitKey: 0, messageRateLimitConversation: 0, conversationRateLimitIp: 0, conversationRateLimitKey: 0 };
const ended = (es: Received[]) => es.filter((e) => e.event === 'message.completed' || e.event === 'message.failed');

/** `name{labels}` → value, from the Prometheus text format. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

describe.each(DIALECTS)('metrics on %s', (dialect) => {
  let hub: TestHub;
  let metricsUrl: string;
  let agent: Awaited<ReturnType<typeof agentServer>>;
  beforeAll(async () => {
    hub = await startTestHub(dialect, { metricsPort: 0, metricsToken: TOKEN, handshakeRateLimit: 3, webhookTimeoutMs: 2_000, ...ROOMY });
    metricsUrl = `http://127.0.0.1:${(hub.metricsServer!.address() as AddressInfo).port}`;
    agent = await agentServer();
  });
  afterAll(async () => {
    await agent?.stop();
    await hub?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    return parseMetrics(await res.text());
  };
  /** How much each named series moved while `act` ran. */
  async function moved(names: string[], act: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = await scrape();
    await act();
    const after = await scrape();
    return Object.fromEntries(names.map((n) => [n, (after.get(n) ?? 0) - (before.get(n) ?? 0)]));
  }

  it('counts handshakes by outcome and times each one', async () => {
    const key = await createKey(hub, ['counted.example']);
    const delta = await moved(
      [
        'kataven_handshakes_total{outcome="allowed"}',
        'kataven_handshakes_total{outcome="origin_not_allowed"}',
        'kataven_handshakes_total{outcome="key_malformed"}',
        'kataven_handshakes_total{outcome="rate_limited"}',
        'kataven_rate_limited_total{limit="widget handshakes from this address"}',
        'kataven_handshake_duration_seconds_count',
      ],
      async () => {
        expect((await handshake(hub, key.key, 'https://elsewhere.example')).status).toBe(403);
        expect((await handshake(hub, 'pk_live_nope', 'https://counted.example')).status).toBe(400);
        // The limit is 3 per key and address: the fourth is refused.
        for (let i = 0; i < 3; i++) expect((await handshake(hub, key.key, 'https://counted.example')).status).toBe(200);
        expect((await handshake(hub, key.key, 'https://counted.example')).status).toBe(429);
      },
    );
    expect(delta).toEqual({
      'kataven_handshakes_total{outcome="allowed"}': 3,
      'kataven_handshakes_total{outcome="origin_not_allowed"}': 1,
      'kataven_handshakes_total{outcome="key_malformed"}': 1,
      'kataven_handshakes_total{outcome="rate_limited"}': 1,
      'kataven_rate_limited_total{limit="widget handshakes from this address"}': 1,
      'kataven_handshake_duration_seconds_count': 6,
    });
  });

  it('counts agent replies by kind and outcome, with time to first delta and to the end', async () => {
    const created = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Measured', webhook_url: agent.url } });
    const key = await createKey(hub, ['agents.example'], { agent_id: created.body.id });
    const token = (await handshake(hub, key.key, 'https://agents.example')).body.session_token as string;
    const id = (await widgetCall(hub, token, 'POST', WIDGET_API.conversations, {})).body.id as string;
    const stream = await openEvents(hub.url, token, id);
    const say = async (text: string, n: number) => {
      await widgetCall(hub, token, 'POST', WIDGET_API.messages(id), { text, client_message_id: `m-${text}` });
      await stream.until((es) => ended(es).length === n);
    };
    const delta = await moved(
      [
        'kataven_agent_replies_total{kind="webhook",outcome="completed"}',
        'kataven_agent_replies_total{kind="stream",outcome="completed"}',
        'kataven_agent_replies_total{kind="webhook",outcome="agent_unavailable"}',
        'kataven_agent_first_delta_seconds_count{kind="webhook"}',
        'kataven_agent_first_delta_seconds_count{kind="stream"}',
        'kataven_agent_reply_seconds_count{kind="webhook"}',
        'kataven_agent_reply_seconds_count{kind="stream"}',
      ],
      async () => {
        agent.setMode({ kind: 'json', reply: 'Plain' });
        await say('one', 1);
        agent.setMode({ kind: 'stream' });
        const streamed = agent.nextStream();
        const posted = say('two', 2);
        const s = await streamed;
        s.delta('Str');
        s.delta('eamed');
        s.done();
        await posted;
        agent.setMode({ kind: 'status', status: 500 });
        await say('three', 3);
      },
    );
    stream.close();
    expect(delta).toEqual({
      'kataven_agent_replies_total{kind="webhook",outcome="completed"}': 1,
      'kataven_agent_replies_total{kind="stream",outcome="completed"}': 1,
      'kataven_agent_replies_total{kind="webhook",outcome="agent_unavailable"}': 1,
      // The failed call had no text: no first delta for it.
      'kataven_agent_first_delta_seconds_count{kind="webhook"}': 1,
      'kataven_agent_first_delta_seconds_count{kind="stream"}': 1,
      'kataven_agent_reply_seconds_count{kind="webhook"}': 2,
      'kataven_agent_reply_seconds_count{kind="stream"}': 1,
    });
  });

  it('names the model, the demo agent and a 202 by their kind and outcome', async () => {
    // An OpenAI-compatible model that streams one chunk.
    const model = await modelServer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Modelled' }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    });
    try {
      const llm = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Model', llm: { base_url: `${model.url}/v1`, model: 'tiny', api_key: 'sk-test' } } });
      const hooked = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Later', webhook_url: agent.url } });
      /** One visitor message to a new key on `agentId` (the account's demo agent when undefined); `until` waits for its end. */
      const ask = async (site: string, agentId: string | undefined, until: (es: Received[]) => boolean) => {
        const key = await createKey(hub, [site], agentId ? { agent_id: agentId } : {});
        const token = (await handshake(hub, key.key, `https://${site}`)).body.session_token as string;
        const id = (await widgetCall(hub, token, 'POST', WIDGET_API.conversations, {})).body.id as string;
        const stream = await openEvents(hub.url, token, id);
        await widgetCall(hub, token, 'POST', WIDGET_API.messages(id), { text: 'Hello', client_message_id: 'm-1' });
        await stream.until(until, 15_000);
        stream.close();
      };
      const delta = await moved(
        ['kataven_agent_replies_total{kind="openai",outcome="completed"}', 'kataven_agent_replies_total{kind="demo",outcome="completed"}', 'kataven_agent_replies_total{kind="webhook",outcome="accepted"}'],
        async () => {
          await ask('model.example', llm.body.id, (es) => ended(es).length === 1);
          await ask('demo.example', undefined, (es) => ended(es).length === 1);
          agent.setMode({ kind: 'accepted' });
          // 202: no reply is stored; the typing state is cleared with an empty status.
          await ask('later.example', hooked.body.id, (es) => es.some((e) => e.event === 'agent.status' && e.data.text === ''));
        },
      );
      expect(delta).toEqual({
        'kataven_agent_replies_total{kind="openai",outcome="completed"}': 1,
        'kataven_agent_replies_total{kind="demo",outcome="completed"}': 1,
        'kataven_agent_replies_total{kind="webhook",outcome="accepted"}': 1,
      });
    } finally {
      await model.close();
    }
  });

  it('shows the open event streams', async () => {
    const key = await createKey(hub, ['streams.example']);
    const token = (await handshake(hub, key.key, 'https://streams.example')).body.session_token as string;
    const id = (await widgetCall(hub, token, 'POST', WIDGET_API.conversations, {})).body.id as string;
    const open = async () => (await scrape()).get('kataven_event_streams_open');
    const before = await open();
    const streams = [await openEvents(hub.url, token, id), await openEvents(hub.url, token, id)];
    await vi.waitFor(async () => expect(await open()).toBe(before! + 2));
    for (const s of streams) s.close();
    await vi.waitFor(async () => expect(await open()).toBe(before));
  });

  it('names no key, origin, conversation, account or address, and has process metrics', async () => {
    const key = await createKey(hub, ['private.example']);
    const token = (await handshake(hub, key.key, 'https://private.example')).body.session_token as string;
    const id = (await widgetCall(hub, token, 'POST', WIDGET_API.conversations, {})).body.id as string;
    await handshake(hub, key.key, 'https://not-listed.example');
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    for (const secret of [key.id, key.key, key.key_last8, 'private.example', 'not-listed.example', id, hub.account.account_id, '127.0.0.1']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('serves the public port only to the metrics token', async () => {
    expect((await call(hub.url, 'GET', '/metrics', {})).status).toBe(401);
    const wrong = await call(hub.url, 'GET', '/metrics', { key: 'x'.repeat(TOKEN.length) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toContain('KATAVEN_METRICS_TOKEN');
    const right = await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toContain('text/plain');
    expect(await right.text()).toContain('kataven_handshakes_total');
  });

  it('answers nothing but GET /metrics on the metrics port', async () => {
    const res = await fetch(`${metricsUrl}/api/v1/widget-keys`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toContain('GET /metrics');
  });
});

describe('metrics off', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('sqlite');
  });
  afterAll(() => hub?.close());

  it('has no /metrics on the public port and no listener without a metrics port or token', async () => {
    expect(hub.metricsServer).toBeNull();
    expect((await call(hub.url, 'GET', '/metrics', { key: TOKEN })).status).toBe(404);
  });
});
