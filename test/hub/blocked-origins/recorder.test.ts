/**
 * The blocked-origin recorder on each database, with an injected clock: one write per key and origin per
 * minute, counts that add up, a bounded memory and table under a flood of forged origins, a 30-day expiry,
 * and nothing stored beyond origin, type, count and times.
 */
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseOrigin } from '../../../src/hub/allowlist/origin.js';
import { blockedOriginRecorder, BLOCKED_ORIGIN_TTL_MS, seenOrigin } from '../../../src/hub/blocked-origins/recorder.js';
import { listBlockedOrigins } from '../../../src/hub/blocked-origins/repo.js';
import { openStore, type Store } from '../../../src/hub/db/index.js';
import { MAX_BLOCKED_ORIGINS } from '../../../src/protocol/api.js';
import { DIALECTS, testDatabase, type TestDatabase } from '../../helpers/databases.js';

const T0 = Date.UTC(2030, 0, 1);
const MINUTE = 60_000;
const silent = { warn: () => {} } as unknown as FastifyBaseLogger;

describe.each(DIALECTS)('blocked-origin recorder on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await testDatabase(dialect);
    store = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  let keys = 0;
  /** A recorder on its own key and clock. */
  function setup(options: { maxPending?: number } = {}) {
    const clock = { now: T0 };
    const recorder = blockedOriginRecorder(store.db, silent, { now: () => clock.now, ...options });
    const key = `wk_rec_${keys++}`;
    const refuse = (origin: string | undefined, type = 'origin_not_allowed', id = key) => recorder.record(id, type, parseOrigin(origin), origin);
    const rows = async (id = key) => {
      await recorder.flush();
      return listBlockedOrigins(store.db, id, new Date(0).toISOString());
    };
    return { clock, recorder, key, refuse, rows };
  }

  it('writes the first refusal at once and later ones at most once a minute, adding them up', async () => {
    const { clock, recorder, refuse, rows } = setup();
    refuse('https://a.example');
    expect(await rows()).toMatchObject([{ origin: 'https://a.example', count: 1, first_seen_at: new Date(T0).toISOString() }]);
    clock.now += 1_000;
    refuse('https://a.example');
    clock.now += 1_000;
    refuse('https://a.example', 'key_disabled');
    // Not due: still the first write.
    expect(await rows()).toMatchObject([{ count: 1, last_seen_at: new Date(T0).toISOString() }]);
    clock.now = T0 + MINUTE;
    expect(await rows()).toEqual([{
      origin: 'https://a.example', type: 'key_disabled', count: 3,
      first_seen_at: new Date(T0).toISOString(), last_seen_at: new Date(T0 + 2_000).toISOString(),
    }]);
    await recorder.close();
  });

  it('writes what is pending when it closes', async () => {
    const { clock, recorder, refuse, rows } = setup();
    refuse('https://a.example');
    clock.now += 1_000;
    refuse('https://a.example');
    await recorder.close();
    expect((await rows())[0]?.count).toBe(2);
  });

  it('adds up the counts of two processes on one row', async () => {
    const one = setup();
    const two = blockedOriginRecorder(store.db, silent, { now: () => T0 + 5_000 });
    one.refuse('https://a.example');
    two.record(one.key, 'origin_not_allowed', parseOrigin('https://a.example'), 'https://a.example');
    await two.close();
    expect(await one.rows()).toMatchObject([{ count: 2, first_seen_at: new Date(T0).toISOString(), last_seen_at: new Date(T0 + 5_000).toISOString() }]);
    await one.recorder.close();
  });

  it(`keeps at most ${MAX_BLOCKED_ORIGINS} origins a key, the most recent, under a flood of forged ones`, async () => {
    const { clock, recorder, refuse, rows } = setup();
    refuse('https://real.example');
    for (let round = 0; round < 3; round++) {
      clock.now += MINUTE;
      await recorder.flush();
      for (let i = 0; i < 150; i++) {
        clock.now += 1;
        refuse(`https://forged-${round}-${i}.example`);
      }
    }
    const stored = await rows();
    expect(stored).toHaveLength(MAX_BLOCKED_ORIGINS);
    // The newest round displaced the older ones; within a minute, origins past the cap were not recorded.
    expect(stored.every((r) => r.origin.startsWith('https://forged-2-'))).toBe(true);
    expect(stored.map((r) => r.origin)).not.toContain('https://forged-2-100.example');
    await recorder.close();
  });

  it('holds at most maxPending origins in memory; room comes back once they go quiet', async () => {
    const { clock, recorder, refuse, rows } = setup({ maxPending: 3 });
    for (const site of ['a', 'b', 'c', 'd']) refuse(`https://${site}.example`);
    expect((await rows()).map((r) => r.origin).sort()).toEqual(['https://a.example', 'https://b.example', 'https://c.example']);
    clock.now += MINUTE;
    await recorder.flush();
    refuse('https://d.example');
    expect((await rows()).map((r) => r.origin)).toContain('https://d.example');
    await recorder.close();
  });

  it('drops and hides rows not seen for 30 days', async () => {
    const { clock, recorder, refuse, key } = setup();
    refuse('https://old.example');
    await recorder.flush();
    clock.now = T0 + BLOCKED_ORIGIN_TTL_MS + 1;
    refuse('https://new.example');
    // Listed since a cutoff: the old row is hidden at once, and the next hourly expiry deletes it.
    const since = new Date(clock.now - BLOCKED_ORIGIN_TTL_MS).toISOString();
    // (The new origin's write runs in the background: wait for it, since a flush would expire the old row.)
    await vi.waitFor(async () => expect((await listBlockedOrigins(store.db, key, since)).map((r) => r.origin)).toEqual(['https://new.example']));
    expect(await store.db.selectFrom('blocked_origins').select('origin').where('widget_key_id', '=', key).execute()).toHaveLength(2);
    clock.now += 60 * MINUTE;
    await recorder.flush();
    const left = await store.db.selectFrom('blocked_origins').select('origin').where('widget_key_id', '=', key).execute();
    expect(left.map((r) => r.origin)).toEqual(['https://new.example']);
    await recorder.close();
  });

  it('stores only the key, origin, type, count and two times', async () => {
    const { recorder, refuse, key } = setup();
    refuse('https://a.example');
    await recorder.flush();
    const row = await store.db.selectFrom('blocked_origins').selectAll().where('widget_key_id', '=', key).executeTakeFirstOrThrow();
    expect(Object.keys(row).sort()).toEqual(['first_seen_at', 'last_seen_at', 'origin', 'seen_count', 'type', 'widget_key_id']);
    await recorder.close();
  });
});

describe('seenOrigin', () => {
  it.each([
    ['HTTPS://Shop.Example:443', 'https://shop.example'],
    ['https://shop.example/', 'https://shop.example/'],
    ['null', 'null'],
    [undefined, ''],
    ['https://\u00e9.example', 'https://?.example'],
    ['https://' + 'a'.repeat(400), 'https://' + 'a'.repeat(292)],
  ])('keeps %j as %j', (header, stored) => {
    expect(seenOrigin(parseOrigin(header), header)).toBe(stored);
  });

  it('joins two Origin headers, refused as malformed', () => {
    expect(seenOrigin(parseOrigin(['https://a.example', 'https://b.example']), ['https://a.example', 'https://b.example'])).toBe('https://a.example, https://b.example');
  });
});
