/**
 * Redis goes away for one of two hub processes (B reaches it through a proxy; A directly). While it is
 * away, B answers handshakes 503 `service_unavailable` at once and /readyz says redis; a key revoked on A
 * meanwhile (B misses that message) is refused by B at once, since B caches nothing while deaf; afterwards the
 * invalidation bus works again. The process never dies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../helpers/databases.js';
import { call, type Answer } from '../helpers/http.js';
import { createWidgetKey, handshakeAt } from '../helpers/widget.js';
import {
  createAccountViaCli, REDIS_URL, SESSION_SECRET, skipReason, sleep, spawnHub, tcpProxy, waitFor, type HubProcess, type TcpProxy,
} from './support.js';

const skip = skipReason('Redis fault tests', 'postgres', 'redis');
const SITE = 'https://shop.example';
/** ioredis' command timeout (1 s) plus slack: the longest a request may wait for an unreachable Redis. */
const FAIL_FAST_MS = 2_500;

describe.skipIf(skip)('Redis faults with two hub processes', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let a: HubProcess;
  let b: HubProcess;
  let secretKey: string;

  beforeAll(async () => {
    db = await testDatabase('postgres');
    proxy = await tcpProxy(REDIS_URL!);
    const env = {
      KATAVEN_DATABASE_URL: db.databaseUrl!,
      KATAVEN_SESSION_SECRET: SESSION_SECRET,
      KATAVEN_DATA_DIR: db.dataDir,
      KATAVEN_HANDSHAKE_RATE_LIMIT: '100000',
    };
    a = await spawnHub('redis-A', { ...env, KATAVEN_REDIS_URL: REDIS_URL! });
    b = await spawnHub('redis-B', { ...env, KATAVEN_REDIS_URL: proxy.via(REDIS_URL!) });
    secretKey = (await createAccountViaCli(env, 'Redis faults')).secret_key;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await proxy?.close();
    await db?.drop();
  });

  const expectUnavailable = (res: Answer) => {
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(res.body.error.type).toBe('service_unavailable');
    expect(res.body.error.message).toMatch(/Redis/);
    expect(res.ms).toBeLessThan(FAIL_FAST_MS);
    // The loader can read the reason, as for any other refusal.
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE);
  };

  it('answers 503 fast while Redis is away, and after it is back serves and hears invalidations again', async () => {
    const k1 = await createWidgetKey(a.url, secretKey, ['shop.example'], { name: 'k1' });
    const k2 = await createWidgetKey(a.url, secretKey, ['shop.example'], { name: 'k2' });
    expect((await handshakeAt(b.url, k1.key, SITE)).status).toBe(200);
    expect((await handshakeAt(b.url, k2.key, SITE)).status).toBe(200);
    expect((await call(b.url, 'GET', '/readyz')).body).toMatchObject({ status: 'ready', redis: 'ok' });

    // Redis gone for B: connections reset, new ones refused.
    proxy.setMode('reset');
    await waitFor(async () => (await handshakeAt(b.url, k1.key, SITE)).status === 503, 3_000);
    for (let i = 0; i < 5; i++) expectUnavailable(await handshakeAt(b.url, k1.key, SITE));
    const notReady = await call(b.url, 'GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.error).toEqual({ type: 'not_ready', message: expect.stringMatching(/redis unreachable/) });
    expect(notReady.ms).toBeLessThan(FAIL_FAST_MS);
    // A is unaffected, and revokes k2 while B cannot hear it.
    expect((await call(a.url, 'GET', '/readyz')).status).toBe(200);
    const revokedAt = performance.now();
    expect((await call(a.url, 'PATCH', `/api/v1/widget-keys/${k2.id}`, { key: secretKey, body: { disabled: true } })).status).toBe(200);
    await sleep(1_000);
    expectUnavailable(await handshakeAt(b.url, k1.key, SITE));
    // B cannot hear the revocation, so it caches nothing while its subscription is down: it reads k2
    // from PostgreSQL and refuses it at once, before the rate limit (which needs Redis) is reached.
    const deaf = await handshakeAt(b.url, k2.key, SITE);
    expect(deaf.status).toBe(403);
    expect(deaf.body.error.type).toBe('key_disabled');

    // A partition instead: nothing answers, nothing is refused. Commands time out after 1 s.
    proxy.setMode('stall');
    await sleep(200);
    expectUnavailable(await handshakeAt(b.url, k1.key, SITE));
    expect((await call(b.url, 'GET', '/readyz')).status).toBe(503);

    // Back: B serves again by itself, and k2 stays refused.
    proxy.setMode('up');
    const restoredAt = performance.now();
    const seen: number[] = [];
    await waitFor(async () => {
      const res = await handshakeAt(b.url, k1.key, SITE);
      seen.push(res.status);
      return res.status === 200;
    }, 5_000);
    const recoveryMs = performance.now() - restoredAt;
    const k2back = await handshakeAt(b.url, k2.key, SITE);
    expect(k2back.status, `k1 on B after Redis came back: ${seen.join(',')}`).toBe(403);
    expect(k2back.body.error.type).toBe('key_disabled');
    await waitFor(async () => (await call(b.url, 'GET', '/readyz')).status === 200, 3_000);

    // The bus works again: a disable on A is seen by B within 2 s.
    const since = performance.now();
    expect((await call(a.url, 'PATCH', `/api/v1/widget-keys/${k1.id}`, { key: secretKey, body: { disabled: true } })).status).toBe(200);
    await waitFor(async () => (await handshakeAt(b.url, k1.key, SITE)).status === 403, 3_000, 10);
    const latency = performance.now() - since;
    expect(latency).toBeLessThan(2_000);

    for (const hub of [a, b]) expect(hub.child.exitCode, hub.output()).toBeNull();
    console.info(`[faults/redis] B served again ${Math.round(recoveryMs)} ms after Redis came back (k2 revoked ${Math.round(performance.now() - revokedAt)} ms ago, refused); revocation after recovery seen in ${Math.round(latency)} ms`);
  }, 40_000);
});
