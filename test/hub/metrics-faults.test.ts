/**
 * The dependency error counters over real HTTP: the hub reaches PostgreSQL and Redis through TCP proxies
 * (the edge of the world) that the test cuts; requests answer 503 and the metrics count each dependency's
 * errors apart.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDatabase, type TestDatabase } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake } from '../helpers/widget.js';
import { REDIS_URL, skipReason, tcpProxy, type TcpProxy } from '../cluster/support.js';

const skip = skipReason('dependency error metrics', 'postgres', 'redis');

describe.skipIf(skip)('dependency errors in the metrics', () => {
  let db: TestDatabase;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let hub: TestHub;
  beforeAll(async () => {
    db = await testDatabase('postgres');
    pgProxy = await tcpProxy(db.databaseUrl!);
    redisProxy = await tcpProxy(REDIS_URL!);
    hub = await startTestHub('postgres', { databaseUrl: pgProxy.via(db.databaseUrl!), redisUrl: redisProxy.via(REDIS_URL!), metricsPort: 0, handshakeRateLimit: 100_000 });
  });
  afterAll(async () => {
    await hub?.close();
    await pgProxy?.close();
    await redisProxy?.close();
    await db?.drop();
  });

  const errors = async (dependency: string) => {
    const port = (hub.metricsServer!.address() as AddressInfo).port;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(new RegExp(`^kataven_dependency_errors_total\\{dependency="${dependency}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
  };

  it('counts Redis errors while Redis is away, and not as database errors', async () => {
    const key = await createKey(hub, ['faults.example']);
    expect((await handshake(hub, key.key, 'https://faults.example')).status).toBe(200);
    const [redisBefore, databaseBefore] = [await errors('redis'), await errors('database')];
    redisProxy.setMode('reset');
    try {
      const refused = await handshake(hub, key.key, 'https://faults.example');
      expect(refused.status).toBe(503);
      expect(refused.body.error.type).toBe('service_unavailable');
      await vi.waitFor(async () => expect(await errors('redis')).toBeGreaterThan(redisBefore));
      expect(await errors('database')).toBe(databaseBefore);
    } finally {
      redisProxy.setMode('up');
    }
  });

  it('counts requests that failed on an unreachable database', async () => {
    const databaseBefore = await errors('database');
    pgProxy.setMode('reset');
    try {
      const res = await hub.api('/api/v1/agents');
      expect(res.status).toBe(503);
      expect(await errors('database')).toBe(databaseBefore + 1);
    } finally {
      pgProxy.setMode('up');
    }
    await vi.waitFor(async () => expect((await hub.api('/api/v1/agents')).status).toBe(200), { timeout: 10_000 });
  });
});
