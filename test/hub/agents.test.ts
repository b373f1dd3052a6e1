/** The agents resource over HTTP: llm settings with a write-only key, one way of answering, the network rule at save. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET_PREFIX } from '../../src/protocol/agent-webhook.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const API_KEY = 'sk-test-Zq81mVb7Lx2Pw0Rt';
const LLM = { base_url: 'https://models.example.com/v1', model: 'tiny-model', api_key: API_KEY, system_prompt: 'Be brief.' };

describe.each(DIALECTS)('agents on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(dialect);
  });
  afterAll(() => hub.close());

  const create = (body: Record<string, unknown>) => hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Ada', ...body } });
  const patch = (id: string, body: Record<string, unknown>) => hub.api(`/api/v1/agents/${id}`, { method: 'PATCH', body });

  it('creates an llm agent and shows api_key_last4, never the key', async () => {
    const created = await create({ llm: LLM });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      webhook_url: null,
      llm: { base_url: LLM.base_url, model: 'tiny-model', system_prompt: 'Be brief.', api_key_last4: 'w0Rt' },
    });
    expect(Object.keys(created.body.llm).sort()).toEqual(['api_key_last4', 'base_url', 'model', 'system_prompt']);
    const answers = [created, await hub.api(`/api/v1/agents/${created.body.id}`), await hub.api('/api/v1/agents?limit=100')];
    for (const answer of answers) expect(JSON.stringify(answer.body)).not.toContain(API_KEY.slice(0, -4));
  });

  it('stores an llm without a key or system prompt as nulls', async () => {
    const created = await create({ llm: { base_url: LLM.base_url, model: 'm' } });
    expect(created.body.llm).toEqual({ base_url: LLM.base_url, model: 'm', system_prompt: null, api_key_last4: null });
  });

  it('shows no character of a key shorter than 8', async () => {
    const created = await create({ llm: { ...LLM, api_key: 'sk-1234' } });
    expect(created.body.llm.api_key_last4).toBe('');
  });

  it('keeps the stored key when an update of llm leaves api_key out', async () => {
    const { body: agent } = await create({ llm: LLM });
    const updated = await patch(agent.id, { llm: { base_url: `${LLM.base_url}/`, model: 'bigger-model' } });
    expect(updated.status).toBe(200);
    expect(updated.body.llm).toEqual({ base_url: `${LLM.base_url}/`, model: 'bigger-model', system_prompt: null, api_key_last4: 'w0Rt' });
  });

  it('replaces the key with a new api_key and removes it with null', async () => {
    const { body: agent } = await create({ llm: LLM });
    expect((await patch(agent.id, { llm: { ...LLM, api_key: 'sk-other-key-9876' } })).body.llm.api_key_last4).toBe('9876');
    expect((await patch(agent.id, { llm: { ...LLM, api_key: null } })).body.llm.api_key_last4).toBeNull();
  });

  it('refuses to keep the key for a base_url on another origin', async () => {
    const { body: agent } = await create({ llm: LLM });
    const moved = await patch(agent.id, { llm: { base_url: 'https://elsewhere.example/v1', model: 'tiny-model' } });
    expect(moved.status).toBe(400);
    expect(moved.body.error).toMatchObject({ type: 'invalid_request', message: expect.stringMatching(/^llm\.api_key: .*https:\/\/elsewhere\.example.*give llm\.api_key again/) });
    expect((await hub.api(`/api/v1/agents/${agent.id}`)).body.llm).toMatchObject({ base_url: LLM.base_url, api_key_last4: 'w0Rt' });
    const withKey = await patch(agent.id, { llm: { base_url: 'https://elsewhere.example/v1', model: 'tiny-model', api_key: 'sk-elsewhere-5555' } });
    expect(withKey.body.llm).toMatchObject({ base_url: 'https://elsewhere.example/v1', api_key_last4: '5555' });
  });

  it('removes the llm with null, and the demo agent answers again', async () => {
    const { body: agent } = await create({ llm: LLM });
    const removed = await patch(agent.id, { llm: null });
    expect(removed.body).toMatchObject({ llm: null, webhook_url: null });
    // A model set again later starts without the old key.
    expect((await patch(agent.id, { llm: { base_url: LLM.base_url, model: 'm' } })).body.llm.api_key_last4).toBeNull();
  });

  it('refuses webhook_url and llm in one body, on create and on update', async () => {
    const both = { webhook_url: 'https://agent.example.com/hook', llm: LLM };
    const created = await create(both);
    expect(created.status).toBe(400);
    expect(created.body.error).toEqual({ type: 'invalid_request', message: expect.stringMatching(/^webhook_url and llm: give one, not both/) });
    const { body: agent } = await create({});
    expect((await patch(agent.id, both)).status).toBe(400);
    expect((await hub.api(`/api/v1/agents/${agent.id}`)).body).toMatchObject({ webhook_url: null, llm: null });
  });

  it('a webhook replaces the llm, and an llm replaces the webhook', async () => {
    const { body: agent } = await create({ llm: LLM });
    const hooked = await patch(agent.id, { webhook_url: 'https://agent.example.com/hook' });
    expect(hooked.body).toMatchObject({ webhook_url: 'https://agent.example.com/hook', llm: null });
    const modelled = await patch(agent.id, { llm: { base_url: LLM.base_url, model: 'm' } });
    // The webhook's agent had no key: none is kept from the llm before it.
    expect(modelled.body).toMatchObject({ webhook_url: null, llm: { model: 'm', api_key_last4: null } });
  });

  it('refuses an llm without a model, naming the field', async () => {
    const res = await create({ llm: { base_url: LLM.base_url } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('model');
  });

  it('mints webhook secrets as Standard Webhooks secrets: whsec_ and base64 of 24 key bytes', async () => {
    const { body: agent } = await create({});
    expect(agent.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(agent.webhook_secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64')).toHaveLength(24);
  });

  it('answers every agent request with Cache-Control: no-store, since each carries the webhook secret', async () => {
    const created = await create({});
    const answers = [created, await hub.api('/api/v1/agents'), await hub.api(`/api/v1/agents/${created.body.id}`), await patch(created.body.id, { name: 'Bo' })];
    for (const answer of answers) {
      expect(answer.status).toBeLessThan(300);
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('accepts loopback agent URLs when the operator allows private networks', async () => {
    const res = await create({ llm: { base_url: 'http://localhost:11434/v1', model: 'llama3.2' } });
    expect(res.status).toBe(201);
  });
});

describe.each(DIALECTS)('the network rule at save on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(dialect, { allowPrivateWebhooks: false });
  });
  afterAll(() => hub.close());

  const refused: [body: Record<string, unknown>, message: RegExp][] = [
    [{ webhook_url: 'http://127.0.0.1:8080/hook' }, /^webhook_url points at 127\.0\.0\.1, a loopback address/],
    [{ webhook_url: 'http://169.254.169.254/latest/meta-data' }, /^webhook_url points at 169\.254\.169\.254, a link-local address/],
    [{ webhook_url: 'http://10.1.2.3/hook' }, /^webhook_url points at 10\.1\.2\.3, a private address/],
    [{ llm: { base_url: 'http://localhost:11434/v1', model: 'llama3.2' } }, /^llm\.base_url points at localhost, a loopback address/],
    [{ llm: { base_url: 'http://[::ffff:192.168.1.9]/v1', model: 'm' } }, /^llm\.base_url points at \[::ffff:c0a8:109\], a private address/],
    [{ webhook_url: 'ftp://agent.example.com/hook' }, /^webhook_url must start with https:\/\//],
  ];

  it.each(refused)('refuses %j with the guard\'s message', async (body, message) => {
    const before = (await hub.api('/api/v1/agents?limit=100')).body.data.length;
    const res = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Inner', ...body } });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('invalid_request');
    expect(res.body.error.message).toMatch(message);
    if (!/ftp/.test(JSON.stringify(body))) expect(res.body.error.message).toContain('KATAVEN_ALLOW_PRIVATE_WEBHOOKS=true');
    expect((await hub.api('/api/v1/agents?limit=100')).body.data.length).toBe(before);
  });

  it('refuses an inner address on update too, and leaves the agent as it was', async () => {
    const { body: agent } = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Public', webhook_url: 'https://agent.example.com/hook' } });
    const res = await hub.api(`/api/v1/agents/${agent.id}`, { method: 'PATCH', body: { llm: { base_url: 'http://127.0.0.1:4000/v1', model: 'm' } } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^llm\.base_url points at 127\.0\.0\.1/);
    expect((await hub.api(`/api/v1/agents/${agent.id}`)).body).toMatchObject({ webhook_url: 'https://agent.example.com/hook', llm: null });
  });

  it('accepts public URLs', async () => {
    const res = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Public', llm: { base_url: 'https://api.openai.com/v1', model: 'gpt-4o-mini' } } });
    expect(res.status).toBe(201);
  });
});
