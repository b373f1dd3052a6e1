/**
 * The checks a form runs before a write, over HTTP on both databases: an allowlist validated without
 * saving (the same messages a save answers), and a test event sent to an agent, answered with its reply
 * or its failure. Both change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_HEADERS } from '../../src/protocol/agent-webhook.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { agentServer } from './conversations/agent-server.js';

describe.each(DIALECTS)('pre-write checks on %s', (dialect) => {
  let hub: TestHub;
  let agent: Awaited<ReturnType<typeof agentServer>>;
  beforeAll(async () => {
    hub = await startTestHub(dialect, { webhookTimeoutMs: 2_000 });
    agent = await agentServer();
  });
  afterAll(async () => {
    await agent.stop();
    await hub.close();
  });

  describe('POST /api/v1/allowlist/validate', () => {
    const validate = (list: unknown) => hub.api('/api/v1/allowlist/validate', { method: 'POST', body: { domain_allowlist: list } });

    it('answers each entry with its stored form', async () => {
      const r = await validate(['Shop.Example.com/', '*.example.org', 'localhost:3000']);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        valid: true,
        error: null,
        entries: [
          { entry: 'Shop.Example.com/', normalized: 'shop.example.com', error: null },
          { entry: '*.example.org', normalized: '*.example.org', error: null },
          { entry: 'localhost:3000', normalized: 'localhost:3000', error: null },
        ],
      });
    });

    it('refuses the entries a create would refuse, with the create\'s own message, and keeps the good ones', async () => {
      const list = ['shop.example.com', '*.github.io', 'https://a.example/path'];
      const r = await validate(list);
      expect(r.status).toBe(200);
      expect(r.body.valid).toBe(false);
      expect(r.body.entries[0].normalized).toBe('shop.example.com');
      const created = await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'x', domain_allowlist: list } });
      expect(created.status).toBe(400);
      for (const i of [1, 2]) {
        expect(r.body.entries[i].normalized).toBeNull();
        expect(created.body.error.message).toContain(r.body.entries[i].error);
      }
    });

    it('says when the list as a whole is too long', async () => {
      const r = await validate(Array.from({ length: 101 }, (_, i) => `s${i}.example.com`));
      expect(r.body.valid).toBe(false);
      expect(r.body.error).toContain('at most 100');
    });

    it('answers 400 for a body that is not a list of strings, and 401 without a key', async () => {
      expect((await validate('shop.example.com')).status).toBe(400);
      expect((await hub.api('/api/v1/allowlist/validate', { method: 'POST', key: null, body: { domain_allowlist: [] } })).status).toBe(401);
    });
  });

  describe('POST /api/v1/agents/{id}/test', () => {
    const test = (id: string, body: unknown = {}) => hub.api(`/api/v1/agents/${id}/test`, { method: 'POST', body });
    const webhookAgent = async () => (await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Hooked', webhook_url: agent.url } })).body;

    it('sends a signed test message.created to the webhook and answers its reply; nothing is stored', async () => {
      const a = await webhookAgent();
      agent.setMode({ kind: 'json', reply: 'Loud and clear.' });
      const before = agent.requests.length;
      const r = await test(a.id, { text: 'Can you hear me?' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ outcome: 'replied', reply: 'Loud and clear.', statuses: [], failure: null });
      const sent = agent.requests[before]!;
      expect(sent.body.type).toBe('message.created');
      expect(sent.body.message.text).toBe('Can you hear me?');
      expect(sent.body.conversation_id).toMatch(/^conv_test_/);
      expect(sent.headers[WEBHOOK_HEADERS.signature]).toMatch(/^v1,/);
      expect((await hub.api('/api/v1/conversations')).body.data).toEqual([]);
    });

    it('answers the failure with the detail for the owner and the sentence a visitor would see', async () => {
      const a = await webhookAgent();
      agent.setMode({ kind: 'status', status: 500 });
      const r = await test(a.id);
      expect(r.status).toBe(200);
      expect(r.body.outcome).toBe('failed');
      expect(r.body.failure.type).toBe('agent_unavailable');
      expect(r.body.failure.detail).toContain('500');
      expect(r.body.failure.message).toContain('Hooked');
    });

    it('says when the agent accepted the message to answer later (202)', async () => {
      const a = await webhookAgent();
      agent.setMode({ kind: 'accepted' });
      expect((await test(a.id)).body).toMatchObject({ outcome: 'accepted', reply: '', failure: null });
    });

    it('answers with the demo agent\'s reply for an agent without webhook or model', async () => {
      const r = await test(hub.account.agent_id, { text: 'hi' });
      expect(r.body.outcome).toBe('replied');
      expect(r.body.reply.length).toBeGreaterThan(0);
    });

    it('answers 404 for another account\'s or an unknown agent, and 400 for an empty text', async () => {
      expect((await test('agt_nope')).status).toBe(404);
      expect((await test(hub.account.agent_id, { text: '' })).status).toBe(400);
    });
  });
});
