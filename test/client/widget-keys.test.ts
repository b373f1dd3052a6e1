import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NotFoundError, type Kataven } from '../../src/client/index.js';
import { createAccount } from '../../src/hub/accounts/repo.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { clientFor, handshake, recordingFetch } from './helpers.js';

describe.each(DIALECTS)('client.widgetKeys on %s', (dialect) => {
  let hub: TestHub;
  let client: Kataven;
  beforeAll(async () => {
    hub = await startTestHub(dialect);
    client = clientFor(hub);
  });
  afterAll(() => hub.close());

  it('creates a key and returns the plaintext once', async () => {
    const created = await client.widgetKeys.create({ name: 'Shop', domain_allowlist: ['Shop.Example.com'] });
    expect(created.key).toMatch(/^pk_live_/);
    expect(created).toMatchObject({ name: 'Shop', domain_allowlist: ['shop.example.com'], key_last8: created.key.slice(-8), agent_id: null });
    const listed = (await client.widgetKeys.list({ limit: 100 })).data.find((k) => k.id === created.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('key');
  });

  it('replays a create given the same idempotencyKey', async () => {
    const first = await client.widgetKeys.create({ name: 'Idem' }, { idempotencyKey: 'client-idem-1' });
    const second = await client.widgetKeys.create({ name: 'Idem' }, { idempotencyKey: 'client-idem-1' });
    expect(second).toEqual(first);
  });

  it('lists one page as { data, has_more }, newest first', async () => {
    const a = await client.widgetKeys.create({ name: 'older' });
    const b = await client.widgetKeys.create({ name: 'newer' });
    const page = await client.widgetKeys.list({ limit: 2 });
    expect(page.data.map((k) => k.id)).toEqual([b.id, a.id]);
    expect(page.has_more).toBe(true);
  });

  it('iterates every key across pages with starting_after = the last id', async () => {
    const other = await createAccount(hub.store.db, 'Pager');
    const recorder = recordingFetch();
    const pager = clientFor(hub, { apiKey: other.secret_key, fetch: recorder.fetch });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await pager.widgetKeys.create({ name: `p${i}` })).id);
    recorder.calls.length = 0;
    const seen: string[] = [];
    for await (const key of pager.widgetKeys.list({ limit: 2 })) seen.push(key.id);
    expect(seen).toEqual([...ids].reverse());
    expect(recorder.calls.map((c) => c.url.search)).toEqual([
      '?limit=2',
      `?limit=2&starting_after=${ids[3]}`,
      `?limit=2&starting_after=${ids[1]}`,
    ]);
  });

  it('renames, replaces the allowlist and repins the agent', async () => {
    const key = await client.widgetKeys.create({ name: 'Old', domain_allowlist: ['a.example'] });
    const agent = await client.agents.create({ name: 'Sales' });
    const updated = await client.widgetKeys.update(key.id, { name: 'New', domain_allowlist: ['b.example', 'c.example'], agent_id: agent.id });
    expect(updated).toMatchObject({ id: key.id, name: 'New', domain_allowlist: ['b.example', 'c.example'], agent_id: agent.id });
    expect((await client.widgetKeys.update(key.id, { agent_id: null })).agent_id).toBeNull();
  });

  it('revokes with disabled: true, keeps the first disabled_at, and re-enables', async () => {
    const key = await client.widgetKeys.create({ name: 'Revoke' });
    const first = await client.widgetKeys.update(key.id, { disabled: true });
    expect(first.disabled_at).toEqual(expect.any(String));
    // A second disable must be able to write a later timestamp, so that keeping the first one shows.
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(Date.parse(first.disabled_at!)));
    expect((await client.widgetKeys.update(key.id, { disabled: true })).disabled_at).toBe(first.disabled_at);
    expect((await client.widgetKeys.update(key.id, { disabled: false })).disabled_at).toBeNull();
  });

  it('hard-deletes a key that was never used', async () => {
    const key = await client.widgetKeys.create({ name: 'Unused' });
    expect(await client.widgetKeys.delete(key.id)).toEqual({ id: key.id, deleted: true });
    await expect(client.widgetKeys.delete(key.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('soft-disables a key that was used, keeping it listed', async () => {
    const key = await client.widgetKeys.create({ name: 'Used', domain_allowlist: ['allowed.example'] });
    expect(await handshake(hub, key.key)).toBe(200);
    const result = await client.widgetKeys.delete(key.id);
    expect(result).toEqual({ id: key.id, deleted: false, disabled_at: expect.any(String) });
    const listed = (await client.widgetKeys.list({ limit: 100 })).data.find((k) => k.id === key.id);
    expect(listed).toMatchObject({ disabled_at: result.disabled_at, last_used_at: expect.any(String) });
  });

  it('encodes the id into the path', async () => {
    const recorder = recordingFetch();
    const err = await clientFor(hub, { fetch: recorder.fetch }).widgetKeys.update('a/b?c', { name: 'x' }).catch((e: unknown) => e);
    expect(recorder.calls[0]!.url.pathname).toBe('/api/v1/widget-keys/a%2Fb%3Fc');
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toContain('"a/b?c"');
  });

  it('refuses an empty id or a dot segment before sending anything', async () => {
    const recorder = recordingFetch();
    const strict = clientFor(hub, { fetch: recorder.fetch });
    for (const id of ['', '.', '..']) await expect(strict.widgetKeys.delete(id)).rejects.toThrow(/id must be a non-empty string/);
    expect(recorder.calls).toEqual([]);
  });
});
