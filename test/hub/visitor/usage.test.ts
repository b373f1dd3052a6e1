/**
 * last_used_at without a write per handshake: the first use is written before the answer, later ones at
 * most once a minute in the background, a failed write is logged with the request. Real SQLite, faked clock.
 */
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { hashKey } from '../../../src/hub/keys/format.js';
import { KeyCache, type CachedKey } from '../../../src/hub/visitor/key-cache.js';
import { usageRecorder } from '../../../src/hub/visitor/usage.js';
import { openStore } from '../../../src/hub/db/index.js';
import { testDatabase } from '../../helpers/databases.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

const NOW = Date.UTC(2030, 0, 1);
const at = (ms: number) => new Date(NOW + ms).toISOString();

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());
afterEach(() => {
  vi.useRealTimers();
});

/** A logger that keeps what was warned. */
function warnings() {
  const seen: unknown[][] = [];
  return { seen, log: { warn: (...args: unknown[]) => seen.push(args) } as unknown as FastifyBaseLogger };
}
async function freshKey(): Promise<CachedKey> {
  const k = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'u', domain_allowlist: ['u.example'] } })).body;
  return (await new KeyCache(hub.store.db, 0).get(hashKey(k.key)))!;
}
const usedAt = async (id: string) => (await hub.store.db.selectFrom('widget_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;
const unset = (id: string) => hub.store.db.updateTable('widget_keys').set({ last_used_at: null }).where('id', '=', id).execute();

describe('usage recorder', () => {
  it('writes the first use before it resolves, and marks the key used', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const key = await freshKey();
    await usageRecorder(hub.store.db).record(key, warnings().log);
    expect(await usedAt(key.id)).toBe(at(0));
    expect(key.lastUsedAt).toBe(at(0));
  });

  it('writes again once a minute has passed, not before', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const key = await freshKey();
    const usage = usageRecorder(hub.store.db);
    const { log } = warnings();
    await usage.record(key, log);
    await unset(key.id);
    vi.setSystemTime(NOW + 59_999);
    await usage.record(key, log);
    expect(key.lastUsedAt).toBe(at(0));
    vi.setSystemTime(NOW + 60_000);
    await usage.record(key, log);
    expect(key.lastUsedAt).toBe(at(60_000));
    await vi.waitFor(async () => expect(await usedAt(key.id)).toBe(at(60_000)));
  });

  it('writes a key another process marked used, in the background', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const key = await freshKey();
    key.lastUsedAt = at(-3_600_000);
    await usageRecorder(hub.store.db).record(key, warnings().log);
    expect(key.lastUsedAt).toBe(at(0));
    await vi.waitFor(async () => expect(await usedAt(key.id)).toBe(at(0)));
  });

  it('starts over past its limit of keys, so memory stays bounded', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const [a, b, c] = [await freshKey(), await freshKey(), await freshKey()];
    const usage = usageRecorder(hub.store.db, 2);
    const { log } = warnings();
    for (const k of [a, b]) await usage.record(k, log);
    await unset(a.id);
    await usage.record(a, log); // two keys kept: a was written this minute
    expect(await usedAt(a.id)).toBeNull();
    await usage.record(c, log); // a third: the map starts over
    await usage.record(a, log);
    expect(await usedAt(a.id)).toBe(at(0));
  });

  it('fails the call when the first use cannot be written, and writes it at the next', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const key = await freshKey();
    const usage = usageRecorder(hub.store.db);
    // The database refuses the write (a real SQLite error, raised by a trigger).
    await sql`CREATE TRIGGER refuse_usage BEFORE UPDATE ON widget_keys BEGIN SELECT RAISE(ABORT, 'refused'); END`.execute(hub.store.db);
    try {
      await expect(usage.record(key, warnings().log)).rejects.toThrow('refused');
    } finally {
      await sql`DROP TRIGGER refuse_usage`.execute(hub.store.db);
    }
    expect(key.lastUsedAt).toBeNull();
    await usage.record(key, warnings().log);
    expect(await usedAt(key.id)).toBe(at(0));
  });

  it("logs a background write that failed with the request's logger", async () => {
    const db = await testDatabase('sqlite');
    const store = await openStore({ databaseUrl: null, dataDir: db.dataDir, poolSize: 1 });
    await store.close();
    const key = await freshKey();
    key.lastUsedAt = at(0);
    const { seen, log } = warnings();
    await usageRecorder(store.db).record(key, log);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]).toEqual([{ err: expect.any(Error), key_id: key.id }, 'could not record last_used_at']);
    await db.drop();
  });
});
