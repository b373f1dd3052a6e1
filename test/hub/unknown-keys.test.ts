/**
 * Handshakes with made-up, well-formed keys: limited per address (only misses count), their answers
 * cached briefly and apart from the real keys, so a flood neither costs a query each nor pushes real
 * keys out of the cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, hashKey } from '../../src/hub/keys/format.js';
import { KeyCache } from '../../src/hub/visitor/key-cache.js';
import { PUBLIC_KEY_PREFIX } from '../../src/protocol/keys.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshakeAt, type CreatedKey } from '../helpers/widget.js';

const SITE = 'https://shop.example';
const MISS_LIMIT = 5;
const madeUp = () => generateKey(PUBLIC_KEY_PREFIX);

describe.each(DIALECTS)('unknown widget keys on %s', (dialect) => {
  let hub: TestHub;
  let key: CreatedKey;
  beforeAll(async () => {
    // Addresses come from X-Forwarded-For (a trusted local proxy), so each test has its own.
    hub = await startTestHub(dialect, { handshakeMissRateLimit: MISS_LIMIT, handshakeRateLimit: 1000, trustProxy: '127.0.0.1' });
    key = await createKey(hub, ['shop.example']);
  });
  afterAll(() => hub.close());

  const from = (ip: string, clientKey: string) => handshakeAt(hub.url, clientKey, SITE, { 'x-forwarded-for': ip });

  it('limits unknown keys per address, counting only the misses', async () => {
    for (let i = 0; i < MISS_LIMIT * 3; i++) expect((await from('198.51.100.1', key.key)).status).toBe(200);
    for (let i = 0; i < MISS_LIMIT; i++) expect((await from('198.51.100.1', madeUp())).status).toBe(404);
    const refused = await from('198.51.100.1', madeUp());
    expect(refused.status).toBe(429);
    expect(refused.body.error.type).toBe('rate_limited');
    expect(refused.body.error.message).toContain('unknown widget keys');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The real, cached key keeps working from that address; other addresses are not affected.
    expect((await from('198.51.100.1', key.key)).status).toBe(200);
    expect((await from('198.51.100.2', madeUp())).status).toBe(404);
  });

  it('refuses an address over the limit before looking a key up', async () => {
    for (let i = 0; i <= MISS_LIMIT; i++) await from('198.51.100.3', madeUp());
    // A key the cache does not hold yet would need a lookup: refused too, while another address finds it.
    const fresh = await createKey(hub, ['shop.example']);
    expect((await from('198.51.100.3', fresh.key)).status).toBe(429);
    expect((await from('198.51.100.4', fresh.key)).status).toBe(200);
  });

  it('caches a miss briefly, and an Admin API write drops it at once', async () => {
    const k = await createKey(hub, ['shop.example']);
    const row = await hub.store.db.selectFrom('widget_keys').selectAll().where('id', '=', k.id).executeTakeFirstOrThrow();
    // Gone behind the hub's back (no invalidation): the miss is cached...
    await hub.store.db.deleteFrom('widget_keys').where('id', '=', k.id).execute();
    expect((await from('198.51.100.5', k.key)).status).toBe(404);
    await hub.store.db.insertInto('widget_keys').values(row).execute();
    expect((await from('198.51.100.5', k.key)).status).toBe(404);
    // ...until a write through the Admin API (as creating the key does) drops it.
    expect((await hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { name: 'again' } })).status).toBe(200);
    expect((await from('198.51.100.5', k.key)).status).toBe(200);
  });
});

describe('the key cache under a flood of misses', () => {
  it('keeps a real key cached through more misses than it holds keys', async () => {
    const hub = await startTestHub('sqlite');
    try {
      const real = await createKey(hub, ['shop.example']);
      const cache = new KeyCache(hub.store.db, 60_000);
      expect(await cache.get(hashKey(real.key))).not.toBeNull();
      // More than the cache's 50,000 entries: with misses in the same map, the real key would be evicted.
      for (let i = 0; i < 50_001; i++) await cache.get(`miss-${i}`);
      expect(cache.cached(hashKey(real.key))?.id).toBe(real.id);
    } finally {
      await hub.close();
    }
  }, 120_000);
});
