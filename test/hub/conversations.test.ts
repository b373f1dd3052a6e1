import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, sign } from '../../src/hub/conversations/reply.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake, widgetCall } from '../helpers/widget.js';

/** A real HTTP server standing in for a customer's agent webhook. */
function webhookServer(handler: (body: string, req: IncomingMessage) => { status: number; body: string; delayMs?: number }) {
  const received: Array<{ body: string; signature: string | undefined }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ body, signature: req.headers[SIGNATURE_HEADER] as string | undefined });
      const out = handler(body, req);
      setTimeout(() => res.writeHead(out.status, { 'content-type': 'application/json' }).end(out.body), out.delayMs ?? 0);
    });
  });
  return {
    received,
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe.each(DIALECTS)('conversations on %s', (dialect) => {
  let hub: TestHub;
  let token: string;
  let key: { id: string; key: string };
  beforeAll(async () => {
    hub = await startTestHub(dialect, { webhookTimeoutMs: 300, sessionRateLimit: 1000 });
    key = await createKey(hub, ['site.example']);
    token = (await handshake(hub, key.key, 'https://site.example')).body.session_token;
  });
  afterAll(() => hub.close());

  it('refuses every widget call without a valid session', async () => {
    for (const t of [null, 'not-a-jwt', token.slice(0, -4) + 'AAAA']) {
      const res = await widgetCall(hub, t, 'POST', WIDGET_API.conversations, {});
      expect(res.status).toBe(401);
      expect(res.body.error.type).toBe('session_invalid');
    }
  });

  it('stores a conversation round trip with the demo agent and loads it back', async () => {
    const conv = await widgetCall(hub, token, 'POST', WIDGET_API.conversations, {});
    expect(conv.status).toBe(201);
    const sent = await widgetCall(hub, token, 'POST', WIDGET_API.messages(conv.body.id), { text: '  Hello there  ' });
    expect(sent.status).toBe(201);
    expect(sent.body.data.map((m: { role: string }) => m.role)).toEqual(['visitor', 'agent']);
    expect(sent.body.data[0].text).toBe('Hello there');
    expect(sent.body.data[1].text).toContain('Hello there');
    const history = await widgetCall(hub, token, 'GET', WIDGET_API.messages(conv.body.id));
    expect(history.body.data).toEqual(sent.body.data);
  });

  it("refuses another key's session on a conversation", async () => {
    const conv = await widgetCall(hub, token, 'POST', WIDGET_API.conversations, {});
    const other = await createKey(hub, ['other.example']);
    const otherToken = (await handshake(hub, other.key, 'https://other.example')).body.session_token;
    const res = await widgetCall(hub, otherToken, 'GET', WIDGET_API.messages(conv.body.id));
    expect(res.status).toBe(404);
    expect(res.body.error.type).toBe('conversation_not_found');
    const post = await widgetCall(hub, otherToken, 'POST', WIDGET_API.messages(conv.body.id), { text: 'hi' });
    expect(post.status).toBe(404);
  });

  it('refuses an empty or oversize message', async () => {
    const conv = await widgetCall(hub, token, 'POST', WIDGET_API.conversations, {});
    expect((await widgetCall(hub, token, 'POST', WIDGET_API.messages(conv.body.id), { text: '   ' })).status).toBe(400);
    expect((await widgetCall(hub, token, 'POST', WIDGET_API.messages(conv.body.id), { text: 'x'.repeat(4001) })).status).toBe(400);
  });

  it('refreshes a session and refuses the refresh once the key is disabled', async () => {
    const k = await createKey(hub, ['refresh.example']);
    const t = (await handshake(hub, k.key, 'https://refresh.example')).body.session_token;
    const refreshed = await widgetCall(hub, t, 'POST', WIDGET_API.session, {});
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.session_token).not.toBe(t);
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { disabled: true } });
    const refused = await widgetCall(hub, refreshed.body.session_token, 'POST', WIDGET_API.session, {});
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe('key_disabled');
  });

  it('refuses a refresh once the origin is no longer allowed', async () => {
    const k = await createKey(hub, ['moving.example']);
    const t = (await handshake(hub, k.key, 'https://moving.example')).body.session_token;
    await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { domain_allowlist: ['elsewhere.example'] } });
    const refused = await widgetCall(hub, t, 'POST', WIDGET_API.session, {});
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe('origin_not_allowed');
  });

  it('limits requests per session', async () => {
    const limited = await startTestHub(dialect, { sessionRateLimit: 2 });
    try {
      const k = await createKey(limited, ['rl.example']);
      const t = (await handshake(limited, k.key, 'https://rl.example')).body.session_token;
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await widgetCall(limited, t, 'POST', WIDGET_API.conversations, {})).status);
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });

  describe('webhook agent', () => {
    const sessionFor = async (webhookUrl: string) => {
      const agent = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Hooked', webhook_url: webhookUrl } });
      const k = await createKey(hub, ['hook.example'], { agent_id: agent.body.id });
      const t = (await handshake(hub, k.key, 'https://hook.example')).body.session_token;
      const conv = await widgetCall(hub, t, 'POST', WIDGET_API.conversations, {});
      return { agent: agent.body, token: t, conversation: conv.body.id as string };
    };

    it('posts a signed message and shows the reply', async () => {
      const hook = webhookServer(() => ({ status: 200, body: JSON.stringify({ reply: 'From the webhook' }) }));
      const url = await hook.start();
      try {
        const { agent, token: t, conversation } = await sessionFor(url);
        const res = await widgetCall(hub, t, 'POST', WIDGET_API.messages(conversation), { text: 'Question?' });
        expect(res.status).toBe(201);
        expect(res.body.data[1].text).toBe('From the webhook');
        const { body, signature } = hook.received[0]!;
        const t0 = Number(/t=(\d+)/.exec(signature!)![1]);
        expect(signature).toBe(sign(agent.webhook_secret, body, t0));
        expect(JSON.parse(body)).toMatchObject({ type: 'message.created', conversation_id: conversation, origin: 'https://hook.example', message: { text: 'Question?' } });
      } finally {
        await hook.stop();
      }
    });

    it.each([
      ['times out', { status: 200, body: JSON.stringify({ reply: 'late' }), delayMs: 1000 }, 'within 300 ms'],
      ['answers 500', { status: 500, body: '{}' }, 'HTTP 500'],
      ['answers without a reply', { status: 200, body: JSON.stringify({ nope: 1 }) }, 'no "reply"'],
    ])('answers 502 agent_unavailable and keeps the message when the webhook %s', async (_name, out, reason) => {
      const hook = webhookServer(() => out);
      const url = await hook.start();
      try {
        const { token: t, conversation } = await sessionFor(url);
        const res = await widgetCall(hub, t, 'POST', WIDGET_API.messages(conversation), { text: 'Anyone?' });
        expect(res.status).toBe(502);
        expect(res.body.error.type).toBe('agent_unavailable');
        expect(res.body.error.message).toContain(reason);
        const history = await widgetCall(hub, t, 'GET', WIDGET_API.messages(conversation));
        expect(history.body.data.map((m: { text: string }) => m.text)).toEqual(['Anyone?']);
      } finally {
        await hook.stop();
      }
    });

    it('answers 502 when the webhook is unreachable', async () => {
      const hook = webhookServer(() => ({ status: 200, body: '{}' }));
      const url = await hook.start();
      await hook.stop();
      const { token: t, conversation } = await sessionFor(url);
      const res = await widgetCall(hub, t, 'POST', WIDGET_API.messages(conversation), { text: 'Hello?' });
      expect(res.status).toBe(502);
      expect(res.body.error.message).toContain('unreachable');
    });
  });
});
