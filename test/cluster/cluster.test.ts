/**
 * Two hub processes (node dist/cli.js serve) on one PostgreSQL database and one Redis, started at the same
 * moment on an empty database (the migration race). What one process writes, the other enforces within
 * the revocation bound (2 s); rate limits hold across both; last_used_at written by one process decides
 * a delete on the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, testDatabase, type TestDatabase } from '../helpers/databases.js';
import { call, type Answer } from '../helpers/http.js';
import { createWidgetKey, handshakeAt } from '../helpers/widget.js';
import {
  createAccountViaCli, freshMinuteWindow, REDIS_URL, SESSION_SECRET, skipReason, spawnHub, waitFor, type HubProcess,
} from './support.js';

const skip = skipReason('cluster tests', 'postgres', 'redis');
const RATE_LIMIT = 6;
const BOUND_MS = 2_000;
const SITE = 'https://shop.example';

describe.skipIf(skip)('two hub processes on one PostgreSQL and one Redis', () => {
  let db: TestDatabase;
  let a: HubProcess;
  let b: HubProcess;
  let secretKey: string;
  let env: Record<string, string>;
  /** Every revocation latency measured, for the report line at the end. */
  const latencies: Record<string, number> = {};

  beforeAll(async () => {
    db = await testDatabase('postgres');
    env = {
      KATAVEN_DATABASE_URL: db.databaseUrl!,
      KATAVEN_REDIS_URL: REDIS_URL!,
      KATAVEN_SESSION_SECRET: SESSION_SECRET,
      KATAVEN_HANDSHAKE_RATE_LIMIT: String(RATE_LIMIT),
      KATAVEN_SESSION_RATE_LIMIT: '100000',
      KATAVEN_DATA_DIR: db.dataDir,
    };
    // Same moment, empty database: both run the migrations at once.
    const started = await Promise.allSettled([spawnHub('A', env), spawnHub('B', env)]);
    const failed = started.filter((s) => s.status === 'rejected');
    for (const s of started) if (s.status === 'fulfilled') (s.value.name === 'A' ? (a = s.value) : (b = s.value));
    if (failed.length) throw (failed[0] as PromiseRejectedResult).reason;
    secretKey = (await createAccountViaCli(env)).secret_key;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    if (Object.keys(latencies).length) console.info(`[cluster] revocation latency on the other process (ms): ${JSON.stringify(latencies)}`);
  });

  it('both processes migrated the empty database at once and are ready', async () => {
    for (const hub of [a, b]) {
      const ready = await call(hub.url, 'GET', '/readyz');
      expect(ready.status, hub.output()).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });
    }
    const migrations = await adminQuery('select name from kysely_migration order by name', [], db.databaseUrl!);
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
    expect(migrations.length).toBeGreaterThan(0);
    expect(a.output() + b.output()).not.toMatch(/migration .* failed/);
  });

  it('a key created through A handshakes through B', async () => {
    const key = await createWidgetKey(a.url, secretKey, ['shop.example']);
    const res = await handshakeAt(b.url, key.key, SITE);
    expect(res.status).toBe(200);
    expect(res.body.frame_url).toBe(`${b.url}/widget/v1/frame?k=${key.id}&o=${encodeURIComponent(SITE)}`);
    // A token signed by B is accepted by A: one shared session secret.
    const refreshed = await call(a.url, 'POST', '/api/v1/widget/session', { key: res.body.session_token, body: {} });
    expect(refreshed.status).toBe(200);
  });

  /** Polls `probe` until `refused` says yes; fails past the bound. Returns ms since `since`. */
  async function refusedWithin(name: string, since: number, probe: () => Promise<Answer>, refused: (r: Answer) => boolean): Promise<Answer> {
    let last: Answer | undefined;
    const { ms } = await waitFor(async () => {
      last = await probe();
      return refused(last);
    }, BOUND_MS + 1_000, 10).catch(() => {
      throw new Error(`${name}: still accepted after ${BOUND_MS + 1_000} ms: ${last?.status} ${JSON.stringify(last?.body)}`);
    });
    const latency = performance.now() - since;
    latencies[name] = Math.round(latency);
    expect(latency, `${name} took ${Math.round(latency)} ms (poll ${Math.round(ms)} ms)`).toBeLessThan(BOUND_MS);
    return last!;
  }

  const frame = (hub: HubProcess, keyId: string, origin = SITE) => call(hub.url, 'GET', `/widget/v1/frame?k=${keyId}&o=${encodeURIComponent(origin)}`);
  const refresh = (hub: HubProcess, token: string) => call(hub.url, 'POST', '/api/v1/widget/session', { key: token, body: {} });

  it('disabled through A: refused by B within 2 s for the handshake, the frame and a session refresh', async () => {
    const key = await createWidgetKey(a.url, secretKey, ['shop.example']);
    // B has everything cached: the key by hash and by id, and a session it signed.
    const hs = await handshakeAt(b.url, key.key, SITE);
    expect(hs.status).toBe(200);
    const token = hs.body.session_token as string;
    const okFrame = await frame(b, key.id);
    expect(okFrame.status).toBe(200);
    expect(okFrame.headers.get('content-security-policy')).toContain(`frame-ancestors ${SITE}`);
    expect((await refresh(b, token)).status).toBe(200);

    const since = performance.now();
    const patched = await call(a.url, 'PATCH', `/api/v1/widget-keys/${key.id}`, { key: secretKey, body: { disabled: true } });
    expect(patched.status).toBe(200);
    expect(patched.body.disabled_at).toEqual(expect.any(String));

    // A 429 still means "B thinks the key is enabled": the rate limit is checked after the key.
    const [h, f, s] = await Promise.all([
      refusedWithin('disable/handshake', since, () => handshakeAt(b.url, key.key, SITE), (r) => r.status === 403),
      refusedWithin('disable/frame', since, () => frame(b, key.id), (r) => r.status === 403),
      refusedWithin('disable/session', since, () => refresh(b, token), (r) => r.status === 403),
    ]);
    expect(h.body.error.type).toBe('key_disabled');
    expect(f.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(s.body.error.type).toBe('key_disabled');
  });

  it('allowlist changed through A: B refuses the old origin and accepts the new one within 2 s', async () => {
    const key = await createWidgetKey(a.url, secretKey, ['shop.example']);
    const hs = await handshakeAt(b.url, key.key, SITE);
    expect(hs.status).toBe(200);
    const token = hs.body.session_token as string;
    expect((await frame(b, key.id)).status).toBe(200);

    const since = performance.now();
    const patched = await call(a.url, 'PATCH', `/api/v1/widget-keys/${key.id}`, { key: secretKey, body: { domain_allowlist: ['other.example'] } });
    expect(patched.status).toBe(200);
    const [h, , s] = await Promise.all([
      refusedWithin('allowlist/handshake', since, () => handshakeAt(b.url, key.key, SITE), (r) => r.status === 403),
      refusedWithin('allowlist/frame', since, () => frame(b, key.id), (r) => r.status === 403),
      refusedWithin('allowlist/session', since, () => refresh(b, token), (r) => r.status === 403),
    ]);
    expect(h.body.error.type).toBe('origin_not_allowed');
    expect(s.body.error.type).toBe('origin_not_allowed');
    expect((await handshakeAt(b.url, key.key, 'https://other.example')).status).toBe(200);
  });

  it('first use through B, DELETE through A: a soft disable, then refused by B within 2 s', async () => {
    const key = await createWidgetKey(a.url, secretKey, ['shop.example']);
    expect((await handshakeAt(b.url, key.key, SITE)).status).toBe(200);
    // The first use is written before B answers, so A sees it at once.
    const listed = await call(a.url, 'GET', '/api/v1/widget-keys?limit=100', { key: secretKey });
    expect(listed.body.data.find((k: { id: string }) => k.id === key.id).last_used_at).toEqual(expect.any(String));

    const since = performance.now();
    const deleted = await call(a.url, 'DELETE', `/api/v1/widget-keys/${key.id}`, { key: secretKey });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: key.id, deleted: false, disabled_at: expect.any(String) });
    const h = await refusedWithin('delete-used/handshake', since, () => handshakeAt(b.url, key.key, SITE), (r) => r.status === 403);
    expect(h.body.error.type).toBe('key_disabled');
  });

  it('a never-used key deleted through A (hard delete) is gone on B within 2 s', async () => {
    const key = await createWidgetKey(a.url, secretKey, ['shop.example']);
    // A frame load caches the key on B without using it.
    expect((await frame(b, key.id)).status).toBe(200);
    const since = performance.now();
    const deleted = await call(a.url, 'DELETE', `/api/v1/widget-keys/${key.id}`, { key: secretKey });
    expect(deleted.body).toEqual({ id: key.id, deleted: true });
    await refusedWithin('delete-unused/frame', since, () => frame(b, key.id), (r) => r.status === 403);
    const h = await refusedWithin('delete-unused/handshake', since, () => handshakeAt(b.url, key.key, SITE), (r) => r.status === 404);
    expect(h.body.error.type).toBe('key_not_found');
  });

  it(`a handshake limit of ${RATE_LIMIT} per minute allows ${RATE_LIMIT} in total across both processes`, async () => {
    const key = await createWidgetKey(a.url, secretKey, ['shop.example']);
    await freshMinuteWindow(10_000);
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT * 2 + 2; i++) statuses.push((await handshakeAt(i % 2 ? b.url : a.url, key.key, SITE)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(RATE_LIMIT + 2);
    expect(statuses.slice(0, RATE_LIMIT).every((s) => s === 200)).toBe(true);
    const refused = await handshakeAt(b.url, key.key, SITE);
    expect(refused.body.error.type).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  }, 30_000);

  it('both processes are still alive', async () => {
    for (const hub of [a, b]) {
      expect(hub.child.exitCode, hub.output()).toBeNull();
      expect((await call(hub.url, 'GET', '/healthz')).status).toBe(200);
    }
  });
});
