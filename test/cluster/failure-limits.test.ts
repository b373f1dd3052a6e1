/**
 * The limits that count only failures hold across processes (Redis): unknown widget keys per address at
 * the handshake, failed Admin API authentications per address. Two hub processes on one PostgreSQL and
 * one Redis, hit in turn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/hub/keys/format.js';
import { PUBLIC_KEY_PREFIX, SECRET_KEY_PREFIX } from '../../src/protocol/keys.js';
import { testDatabase, type TestDatabase } from '../helpers/databases.js';
import { call } from '../helpers/http.js';
import { handshakeAt } from '../helpers/widget.js';
import { createAccountViaCli, freshMinuteWindow, REDIS_URL, SESSION_SECRET, skipReason, spawnHub, waitFor, type HubProcess } from './support.js';

const skip = skipReason('cluster failure limits', 'postgres', 'redis');
const LIMIT = 4;

/** `url` on Redis database 7 (the other suites use 0): its keys are apart, its pub/sub is not (Redis shares channels across databases). */
function ownRedisDatabase(url: string): string {
  const u = new URL(url);
  u.pathname = '/7';
  return u.toString();
}

describe.skipIf(skip)('failure limits across two hub processes', () => {
  let db: TestDatabase;
  let hubs: HubProcess[] = [];
  let secretKey: string;

  beforeAll(async () => {
    db = await testDatabase('postgres');
    const env = {
      KATAVEN_DATABASE_URL: db.databaseUrl!,
      // A Redis database of its own: the windows count per address and minute, and the other cluster
      // suites, running beside this one from the same address, make unknown-key handshakes too.
      KATAVEN_REDIS_URL: ownRedisDatabase(REDIS_URL!),
      KATAVEN_SESSION_SECRET: SESSION_SECRET,
      KATAVEN_DATA_DIR: db.dataDir,
      KATAVEN_HANDSHAKE_MISS_RATE_LIMIT: String(LIMIT),
      KATAVEN_ADMIN_AUTH_FAILURE_LIMIT: String(LIMIT),
    };
    secretKey = (await createAccountViaCli(env)).secret_key;
    hubs = await Promise.all([spawnHub('A', env), spawnHub('B', env)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(hubs.map((h) => h.stop()));
    await db?.drop();
  });

  it(`allows ${LIMIT} unknown widget keys per address in total, then both processes refuse`, async () => {
    // Both processes ready (database and Redis answer), so every answer below is the limit's.
    for (const hub of hubs) await waitFor(async () => (await call(hub.url, 'GET', '/readyz')).status === 200, 15_000);
    await freshMinuteWindow(10_000);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT * 2 + 2; i++) statuses.push((await handshakeAt(hubs[i % 2]!.url, generateKey(PUBLIC_KEY_PREFIX), 'https://shop.example')).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(404), ...Array(LIMIT + 2).fill(429)]);
  }, 30_000);

  it(`allows ${LIMIT} failed authentications per address in total, then both processes refuse even the right key`, async () => {
    await freshMinuteWindow(10_000);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT * 2; i++) statuses.push((await call(hubs[i % 2]!.url, 'GET', '/api/v1/agents', { key: generateKey(SECRET_KEY_PREFIX) })).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(LIMIT).fill(429)]);
    for (const hub of hubs) expect((await call(hub.url, 'GET', '/api/v1/agents', { key: secretKey })).status).toBe(429);
  }, 30_000);
});
