/**
 * The key cache and its queries on a real SQLite store: what it answers, how long it keeps an answer,
 * and when it must not keep one. Rows are changed behind the cache's back with SQL, as another hub
 * process would change them; time is the one thing faked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashKey } from '../../../src/hub/keys/format.js';
import { KeyCache } from '../../../src/hub/visitor/key-cache.js';
import { markUsed } from '../../../src/hub/visitor/repo.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

const TTL = 1_000;
const NOW = Date.UTC(2030, 0, 1);

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());
afterEach(() => {
  vi.useRealTimers();
});

interface Created { id: string; key: string; key_last8: string }
const newKey = async (body: Record<string, unknown> = { domain_allowlist: ['shop.example', '*.shop.example'] }): Promise<Created> =>
  (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'k', ...body } })).body;
const setRow = (id: string, values: Record<string, unknown>) => hub.store.db.updateTable('widget_keys').set(values).where('id', '=', id).execute();
const disable = (id: string) => setRow(id, { disabled_at: new Date().toISOString() });
const clock = () => vi.useFakeTimers({ toFake: ['Date'], now: NOW });
const cache = (ttl = TTL, max?: number) => new KeyCache(hub.store.db, ttl, max);

describe('key cache', () => {
  it('answers a key with its account, agent, allowlist and state', async () => {
    const k = await newKey();
    const found = await cache().get(hashKey(k.key));
    expect(found).toEqual({
      id: k.id,
      hash: hashKey(k.key),
      accountId: hub.account.account_id,
      agent: { id: hub.account.agent_id, name: expect.any(String), greeting: expect.any(String), accent_color: expect.any(String), theme: 'auto', locale: null },
      last8: k.key_last8,
      disabled: false,
      lastUsedAt: null,
      patterns: [expect.objectContaining({ host: 'shop.example', wildcard: false }), expect.objectContaining({ host: 'shop.example', wildcard: true })],
      allowlistEmpty: false,
      identity: 'off',
      mode: 'live',
    });
  });

  it('says when a key is disabled, used, or has an empty allowlist', async () => {
    const k = await newKey({});
    await disable(k.id);
    await markUsed(hub.store.db, k.id, '2030-01-01T00:00:00.000Z');
    expect(await cache().get(hashKey(k.key))).toMatchObject({ disabled: true, lastUsedAt: '2030-01-01T00:00:00.000Z', patterns: [], allowlistEmpty: true });
  });

  it('answers null for a hash no key has', async () => {
    expect(await cache().get(hashKey('pk_live_nothing'))).toBeNull();
    expect(await cache().getById('wk_nothing')).toBeNull();
  });

  it('drops a hash it remembered as unknown', async () => {
    const c = cache();
    expect(await c.get('no-such-hash')).toBeNull();
    expect(() => c.invalidate(['no-such-hash'])).not.toThrow();
  });

  it('answers from memory until the TTL ends, then reads the row again', async () => {
    const k = await newKey();
    clock();
    const c = cache();
    expect((await c.get(hashKey(k.key)))!.disabled).toBe(false);
    await disable(k.id);
    vi.setSystemTime(NOW + TTL - 1);
    expect((await c.get(hashKey(k.key)))!.disabled).toBe(false);
    vi.setSystemTime(NOW + TTL);
    expect((await c.get(hashKey(k.key)))!.disabled).toBe(true);
  });

  it('remembers an unknown hash as unknown until the TTL ends', async () => {
    const k = await newKey();
    await setRow(k.id, { key_hash: 'moved' });
    clock();
    const c = cache();
    expect(await c.get(hashKey(k.key))).toBeNull();
    await setRow(k.id, { key_hash: hashKey(k.key) });
    expect(await c.get(hashKey(k.key))).toBeNull();
    vi.setSystemTime(NOW + TTL);
    expect(await c.get(hashKey(k.key))).not.toBeNull();
  });

  it('drops a key on invalidate and tells its listeners; drop tells no one', async () => {
    const [a, b] = [await newKey(), await newKey()];
    const c = cache();
    const heard: Array<string[] | null> = [];
    c.onInvalidate((h) => heard.push(h));
    await c.get(hashKey(a.key));
    await c.get(hashKey(b.key));
    await disable(a.id);
    await disable(b.id);
    c.invalidate([hashKey(a.key)]);
    expect((await c.get(hashKey(a.key)))!.disabled).toBe(true);
    expect((await c.get(hashKey(b.key)))!.disabled).toBe(false);
    c.drop([hashKey(b.key)]);
    expect((await c.get(hashKey(b.key)))!.disabled).toBe(true);
    c.invalidate(null);
    expect(heard).toEqual([[hashKey(a.key)], null]);
  });

  // Every write of the Admin API invalidates what it changed; a write that changed no key must not
  // publish an empty message to every process.
  it('tells no listener of an invalidation of no keys', () => {
    const c = cache();
    const heard: Array<string[] | null> = [];
    c.onInvalidate((h) => heard.push(h));
    c.invalidate([]);
    expect(heard).toEqual([]);
  });

  it('drops every key on invalidate(null)', async () => {
    const [a, b] = [await newKey(), await newKey()];
    const c = cache();
    await c.get(hashKey(a.key));
    await c.getById(b.id);
    await disable(a.id);
    await disable(b.id);
    c.invalidate(null);
    expect((await c.get(hashKey(a.key)))!.disabled).toBe(true);
    expect((await c.getById(b.id))!.disabled).toBe(true);
  });

  it('keeps nothing it read while an invalidation arrived', async () => {
    const k = await newKey();
    const c = cache();
    const reading = c.get(hashKey(k.key));
    c.drop(null);
    expect((await reading)!.disabled).toBe(false);
    await disable(k.id);
    expect((await c.get(hashKey(k.key)))!.disabled).toBe(true);
  });

  it('reads the row on every lookup while caching is off, and caches again when it is back on', async () => {
    const k = await newKey();
    const c = cache();
    await c.get(hashKey(k.key));
    c.setCaching(false);
    await disable(k.id);
    expect((await c.get(hashKey(k.key)))!.disabled).toBe(true);
    await setRow(k.id, { disabled_at: null });
    expect((await c.getById(k.id))!.disabled).toBe(false);
    c.setCaching(true);
    await c.get(hashKey(k.key));
    await disable(k.id);
    expect((await c.get(hashKey(k.key)))!.disabled).toBe(false);
  });

  it('keeps at most its limit of keys, dropping the oldest first', async () => {
    const [a, b, d] = [await newKey(), await newKey(), await newKey()];
    const c = cache(TTL, 2);
    await c.get(hashKey(a.key));
    await c.get(hashKey(b.key));
    await disable(a.id);
    await disable(b.id);
    await c.get(hashKey(b.key)); // still two: nothing dropped
    expect((await c.get(hashKey(a.key)))!.disabled).toBe(false);
    await c.get(hashKey(d.key)); // a third: a, the oldest, goes
    expect((await c.get(hashKey(b.key)))!.disabled).toBe(false);
    expect((await c.get(hashKey(a.key)))!.disabled).toBe(true);
  });

  // A flood of made-up keys costs the hub a bounded map: 10,000 misses, then the oldest goes.
  it('remembers at most 10,000 unknown hashes, dropping the oldest first', async () => {
    clock();
    const c = cache();
    for (let i = 0; i < 10_000; i++) await c.get(`unknown-${i}`);
    expect(c.cached('unknown-0')).toBeNull();
    await c.get('unknown-10000');
    expect(c.cached('unknown-0')).toBeUndefined();
    expect(c.cached('unknown-1')).toBeNull();
    expect(c.cached('unknown-10000')).toBeNull();
  });

  it('finds a key by id through the hash it cached, and forgets that hash with the key', async () => {
    const k = await newKey();
    const c = cache();
    const first = await c.getById(k.id);
    expect(first).toMatchObject({ id: k.id, hash: hashKey(k.key) });
    // Re-keyed behind the cache's back: by id, the cached entry still answers...
    await setRow(k.id, { key_hash: 'rekeyed' });
    expect(await c.getById(k.id)).toBe(first);
    // ...until the key is dropped; then the id leads to the row's new hash.
    c.drop([hashKey(k.key)]);
    expect(await c.getById(k.id)).toMatchObject({ id: k.id, hash: 'rekeyed' });
  });

  it("answers with the key's own agent, or the account's default", async () => {
    const agent = (await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Sales', greeting: 'Hello from sales' } })).body;
    const own = await newKey({ agent_id: agent.id });
    const plain = await newKey();
    const c = cache();
    expect((await c.get(hashKey(own.key)))!.agent).toEqual({ id: agent.id, name: 'Sales', greeting: 'Hello from sales', accent_color: expect.any(String), theme: 'auto', locale: null });
    expect((await c.get(hashKey(plain.key)))!.agent.id).toBe(hub.account.agent_id);
  });

  it('answers null for a key whose account has no default agent', async () => {
    const k = await newKey();
    await hub.store.db.updateTable('agents').set({ is_default: 0 }).where('id', '=', hub.account.agent_id).execute();
    try {
      expect(await cache().get(hashKey(k.key))).toBeNull();
    } finally {
      await hub.store.db.updateTable('agents').set({ is_default: 1 }).where('id', '=', hub.account.agent_id).execute();
    }
  });
});

describe('markUsed', () => {
  const usedAt = async (id: string) => (await hub.store.db.selectFrom('widget_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;

  it('sets last_used_at and never moves it backwards', async () => {
    const k = await newKey();
    await markUsed(hub.store.db, k.id, '2030-01-01T00:00:01.000Z');
    expect(await usedAt(k.id)).toBe('2030-01-01T00:00:01.000Z');
    await markUsed(hub.store.db, k.id, '2030-01-01T00:00:00.000Z');
    expect(await usedAt(k.id)).toBe('2030-01-01T00:00:01.000Z');
    await markUsed(hub.store.db, k.id, '2030-01-01T00:00:02.000Z');
    expect(await usedAt(k.id)).toBe('2030-01-01T00:00:02.000Z');
  });

  it('writes only the key it names', async () => {
    const [a, b] = [await newKey(), await newKey()];
    await markUsed(hub.store.db, a.id, '2030-01-01T00:00:00.000Z');
    expect(await usedAt(b.id)).toBeNull();
  });
});
