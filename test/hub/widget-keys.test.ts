import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { handshake } from '../helpers/widget.js';
import { createAccount } from '../../src/hub/accounts/repo.js';

describe.each(DIALECTS)('widget keys API on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(dialect);
  });
  afterAll(() => hub.close());

  const create = (body: unknown, headers: Record<string, string> = {}) => hub.api('/api/v1/widget-keys', { method: 'POST', body, headers });

  it('creates a key and returns the plaintext once with no-store', async () => {
    const res = await create({ name: 'Shop', domain_allowlist: ['Shop.Example.com', 'https://*.example.org/'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.key).toMatch(/^pk_live_[0-9A-Za-z]{38}$/);
    expect(res.body.key_last8).toBe(res.body.key.slice(-8));
    expect(res.body.domain_allowlist).toEqual(['shop.example.com', '*.example.org']);
    expect(res.body).toMatchObject({ name: 'Shop', agent_id: null, last_used_at: null, disabled_at: null });
    const list = await hub.api('/api/v1/widget-keys');
    const listed = list.body.data.find((k: { id: string }) => k.id === res.body.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('key');
    expect(JSON.stringify(list.body)).not.toContain(res.body.key);
    expect(Object.keys(listed).sort()).toEqual(
      ['agent_id', 'created_at', 'disabled_at', 'domain_allowlist', 'id', 'key_last8', 'last_used_at', 'mode', 'name', 'updated_at'],
    );
  });

  it('never stores the plaintext key', async () => {
    const res = await create({ name: 'Secret check' });
    const rows = await hub.store.db.selectFrom('widget_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(res.body.key);
    const idem = await hub.store.db.selectFrom('idempotency_keys').selectAll().execute();
    expect(JSON.stringify(idem)).not.toContain(res.body.key);
  });

  it('replays a create with the same Idempotency-Key and body', async () => {
    const headers = { 'idempotency-key': 'idem-1' };
    const first = await create({ name: 'Idem', domain_allowlist: ['idem.example'] }, headers);
    const second = await create({ name: 'Idem', domain_allowlist: ['idem.example'] }, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const named = (await hub.api('/api/v1/widget-keys?limit=100')).body.data.filter((k: { name: string }) => k.name === 'Idem');
    expect(named).toHaveLength(1);
  });

  it('refuses an Idempotency-Key reused with another body', async () => {
    const headers = { 'idempotency-key': 'idem-2' };
    expect((await create({ name: 'A' }, headers)).status).toBe(201);
    const res = await create({ name: 'B' }, headers);
    expect(res.status).toBe(409);
    expect(res.body.error.type).toBe('idempotency_conflict');
    expect(res.body.error.message).toContain('idem-2');
  });

  it('mints one key when identical idempotent creates race', async () => {
    const headers = { 'idempotency-key': 'idem-race' };
    const results = await Promise.all([1, 2, 3, 4].map(() => create({ name: 'Race' }, headers)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.body.key)).size).toBe(1);
  });

  it('pages through keys with limit and starting_after, newest first', async () => {
    const other = await createAccount(hub.store.db, 'Pager');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: `p${i}` }, key: other.secret_key });
      ids.push(r.body.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await hub.api(`/api/v1/widget-keys?limit=2${cursor ? `&starting_after=${cursor}` : ''}`, { key: other.secret_key });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((k: { id: string }) => k.id));
      if (!page.body.has_more) break;
      cursor = page.body.data.at(-1).id;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('keeps the first disabled_at when disabled twice, and clears it on enable', async () => {
    const { body: key } = await create({ name: 'Dis' });
    const first = await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { disabled: true } });
    expect(first.body.disabled_at).toEqual(expect.any(String));
    // A second disable must be able to write a later timestamp, so that keeping the first one shows.
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(Date.parse(first.body.disabled_at)));
    const second = await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { disabled: true } });
    expect(second.body.disabled_at).toBe(first.body.disabled_at);
    const enabled = await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { disabled: false } });
    expect(enabled.body.disabled_at).toBeNull();
  });

  it('renames, replaces the allowlist and repins the agent', async () => {
    const { body: key } = await create({ name: 'Old', domain_allowlist: ['a.example'] });
    const agent = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Sales', accent_color: '#FF0000' } });
    expect(agent.status).toBe(201);
    const res = await hub.api(`/api/v1/widget-keys/${key.id}`, {
      method: 'PATCH',
      body: { name: 'New', domain_allowlist: ['b.example', 'c.example'], agent_id: agent.body.id },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'New', domain_allowlist: ['b.example', 'c.example'], agent_id: agent.body.id });
    const back = await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { agent_id: null } });
    expect(back.body.agent_id).toBeNull();
  });

  it('hard-deletes a key that was never used', async () => {
    const { body: key } = await create({ name: 'Unused' });
    const res = await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'DELETE' });
    expect(res.body).toEqual({ id: key.id, deleted: true });
    const again = await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
  });

  it('soft-disables a key that was used', async () => {
    const { body: key } = await create({ name: 'Used', domain_allowlist: ['used.example'] });
    const hs = await handshake(hub, key.key, 'https://used.example');
    expect(hs.status).toBe(200);
    const res = await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'DELETE' });
    expect(res.body).toEqual({ id: key.id, deleted: false, disabled_at: expect.any(String) });
    const listed = (await hub.api('/api/v1/widget-keys?limit=100')).body.data.find((k: { id: string }) => k.id === key.id);
    expect(listed.disabled_at).toBe(res.body.disabled_at);
    expect(listed.last_used_at).toEqual(expect.any(String));
  });

  it("answers 404 for another account's key, and leaves it unchanged", async () => {
    const { body: key } = await create({ name: 'Mine' });
    const other = await createAccount(hub.store.db, 'Other');
    for (const [method, body] of [['PATCH', { name: 'stolen' }], ['DELETE', undefined]] as const) {
      const res = await hub.api(`/api/v1/widget-keys/${key.id}`, { method, body, key: other.secret_key });
      expect(res.status).toBe(404);
      expect(res.body.error.type).toBe('not_found');
    }
    const list = await hub.api('/api/v1/widget-keys?limit=100', { key: other.secret_key });
    expect(list.body.data).toEqual([]);
    const mine = (await hub.api('/api/v1/widget-keys?limit=100')).body.data.find((k: { id: string }) => k.id === key.id);
    expect(mine.name).toBe('Mine');
  });

  it("refuses an agent_id of another account", async () => {
    const other = await createAccount(hub.store.db, 'Agent owner');
    const res = await create({ name: 'x', agent_id: other.agent_id });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('agent_id');
  });

  it('serves an OpenAPI 3.1 document with the four widget key operations', async () => {
    const res = await hub.api('/api/v1/openapi.json', { key: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths['/api/v1/widget-keys']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(res.body.paths['/api/v1/widget-keys/{id}']).sort()).toEqual(['delete', 'patch']);
  });
});
