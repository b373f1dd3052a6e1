/**
 * Secrets in answers and their rotation: no Admin API answer may be cached; a secret key is rotated with
 * a grace period for the old one; an agent's webhook secret is replaced at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { call } from '../helpers/http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe.each(DIALECTS)('secrets on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(dialect);
  });
  afterAll(() => hub.close());

  it('answers every agent request, which carries the webhook secret, with Cache-Control: no-store', async () => {
    const created = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Secretive' } });
    expect(created.body.webhook_secret).toMatch(/^whsec_/);
    const answers = [
      created,
      await hub.api('/api/v1/agents'),
      await hub.api(`/api/v1/agents/${created.body.id}`),
      await hub.api(`/api/v1/agents/${created.body.id}`, { method: 'PATCH', body: { greeting: 'Hello' } }),
      await hub.api(`/api/v1/agents/${created.body.id}/webhook-secret/rotate`, { method: 'POST' }),
    ];
    for (const res of answers) {
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('rotates a webhook secret at once, answering the new one', async () => {
    const agent = (await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Rotating' } })).body;
    const rotated = await hub.api(`/api/v1/agents/${agent.id}/webhook-secret/rotate`, { method: 'POST' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(rotated.body.webhook_secret).not.toBe(agent.webhook_secret);
    expect((await hub.api(`/api/v1/agents/${agent.id}`)).body.webhook_secret).toBe(rotated.body.webhook_secret);
    const missing = await hub.api('/api/v1/agents/agt_nope/webhook-secret/rotate', { method: 'POST' });
    expect(missing.status).toBe(404);
  });

  it('rotates the secret key: the new one works, the old one until the grace period ends, then is refused', async () => {
    const oldKey = hub.account.secret_key;
    const res = await hub.api('/api/v1/secret-keys/rotate', { method: 'POST', body: { grace_period_s: 2 } });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.secret_key).toMatch(/^sk_live_/);
    expect(res.body.key_last8).toBe(res.body.secret_key.slice(-8));
    const end = new Date(res.body.previous_keys_expire_at).getTime();
    expect(end).toBeGreaterThan(Date.now());
    expect((await hub.api('/api/v1/agents', { key: res.body.secret_key })).status).toBe(200);
    // Within the grace period (the answer's own bound), the old key still works.
    const during = await hub.api('/api/v1/agents', { key: oldKey });
    if (Date.now() < end) expect(during.status).toBe(200);
    // After it, refused, saying why.
    let after = during;
    for (let i = 0; i < 100 && after.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await hub.api('/api/v1/agents', { key: oldKey });
    }
    expect(after.status).toBe(401);
    expect(after.body.error.type).toBe('invalid_api_key');
    expect(after.body.error.message).toContain('rotated');
    expect((await hub.api('/api/v1/agents', { key: res.body.secret_key })).status).toBe(200);
    hub.account.secret_key = res.body.secret_key;
  });

  it('revokes the previous keys at once with a grace period of 0', async () => {
    const before = hub.account.secret_key;
    const res = await hub.api('/api/v1/secret-keys/rotate', { method: 'POST', body: { grace_period_s: 0 } });
    expect(res.status).toBe(201);
    expect((await hub.api('/api/v1/agents', { key: before })).status).toBe(401);
    expect((await hub.api('/api/v1/agents', { key: res.body.secret_key })).status).toBe(200);
    hub.account.secret_key = res.body.secret_key;
  });

  it('refuses a grace period out of range, naming it', async () => {
    const res = await hub.api('/api/v1/secret-keys/rotate', { method: 'POST', body: { grace_period_s: -1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('grace_period_s');
  });

  it('rotates without a body, keeping the old key for the default 24 hours', async () => {
    const res = await call(hub.url, 'POST', '/api/v1/secret-keys/rotate', { key: hub.account.secret_key });
    expect(res.status).toBe(201);
    const hours = (new Date(res.body.previous_keys_expire_at).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });
});
