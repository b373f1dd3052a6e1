/**
 * PostgreSQL goes away under a stream of Admin API requests to one hub process: its connections are
 * terminated (pg_terminate_backend), then the server is cut off (connections reset), then the network
 * stalls. While down, requests answer 503 `service_unavailable` quickly; afterwards the same process
 * serves again by itself, and every create it acknowledged (201) is in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseName, terminateConnections, testDatabase, type TestDatabase } from '../helpers/databases.js';
import { call, type Answer } from '../helpers/http.js';
import {
  createAccountViaCli, SESSION_SECRET, skipReason, sleep, spawnHub, tcpProxy, waitFor, type HubProcess, type TcpProxy,
} from './support.js';

const skip = skipReason('PostgreSQL fault tests', 'postgres');
/** Longest a request may take while the database is away: the pool's connect (2 s) and query (5 s) timeouts, plus slack. */
const FAIL_FAST_MS = 6_500;
/** Longer than two query timeouts: a request must not wait for its query and then again for its rollback. */
const STALL_MS = 11_000;

/** `phase` when the request was sent, `end` when its answer came. */
interface Outcome { phase: string; end: string; op: 'create' | 'list'; status: number; type?: string; ms: number; id?: string }

describe.skipIf(skip)('PostgreSQL faults under a stream of requests', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let hub: HubProcess;
  let secretKey: string;

  beforeAll(async () => {
    db = await testDatabase('postgres');
    proxy = await tcpProxy(db.databaseUrl!);
    const env = { KATAVEN_DATABASE_URL: db.databaseUrl!, KATAVEN_DATA_DIR: db.dataDir };
    secretKey = (await createAccountViaCli(env, 'Faults')).secret_key;
    hub = await spawnHub('pg-faults', {
      ...env,
      KATAVEN_DATABASE_URL: proxy.via(db.databaseUrl!),
      KATAVEN_SESSION_SECRET: SESSION_SECRET,
      KATAVEN_ADMIN_RATE_LIMIT: '100000',
      KATAVEN_DB_POOL_SIZE: '4',
    });
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    await proxy?.close();
    await db?.drop();
  });

  /** Creates and lists in a loop until stopped (bounded: 3,000 requests per worker at most). */
  function stream(phase: () => string, outcomes: Outcome[], workers: number) {
    let stopped = false;
    let n = 0;
    const worker = async (w: number) => {
      for (let i = 0; i < 3_000 && !stopped; i++) {
        const op = i % 3 === 2 ? 'list' : 'create';
        const at = phase();
        const res: Answer = op === 'create'
          ? await call(hub.url, 'POST', '/api/v1/widget-keys', { key: secretKey, body: { name: `w${w}-${n++}`, domain_allowlist: ['shop.example'] }, timeoutMs: 15_000 })
          : await call(hub.url, 'GET', '/api/v1/widget-keys?limit=5', { key: secretKey, timeoutMs: 15_000 });
        outcomes.push({ phase: at, end: phase(), op, status: res.status, type: res.body?.error?.type, ms: res.ms, id: res.status === 201 ? res.body.id : undefined });
        await sleep(res.status === 503 ? 50 : 10);
      }
    };
    const done = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
    return async () => {
      stopped = true;
      await done;
    };
  }

  /** The hub's own account of each 503: the driver's error, once per distinct message. */
  const warnings = () => {
    const seen = new Map<string, number>();
    for (const line of hub.warnings()) {
      try {
        const entry = JSON.parse(line) as { msg?: string; err?: { message?: string; code?: string } };
        const k = `${entry.msg}: ${entry.err?.message ?? ''} ${entry.err?.code ?? ''}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
      } catch {
        seen.set(line, 1);
      }
    }
    return [...seen].map(([k, n]) => `${k} ×${n}`).join('\n');
  };

  /** One line per phase, status and type: how many, and the slowest. */
  const summary = (outcomes: Outcome[]) => {
    const groups = new Map<string, Outcome[]>();
    for (const o of outcomes) {
      const k = `${o.phase === o.end ? o.phase : `${o.phase}→${o.end}`} ${o.status}${o.type ? ` ${o.type}` : ''}`;
      groups.set(k, [...(groups.get(k) ?? []), o]);
    }
    return [...groups].map(([k, v]) => `${k} ×${v.length} (max ${Math.round(Math.max(...v.map((o) => o.ms)))} ms)`).join('; ');
  };

  it('answers 503 quickly while the database is away, recovers by itself and loses no acknowledged write', async () => {
    const outcomes: Outcome[] = [];
    let phase = 'before';
    const stop = stream(() => phase, outcomes, 3);
    // Enough requests sent and answered after a recovery for the claim below (more than 6, the last 6
    // successes), counted rather than slept for: on a loaded machine 500 ms held only 6 of them.
    const servedInPhase = (p: string) =>
      waitFor(async () => outcomes.filter((o) => o.phase === p && o.end === p).length > 7, 10_000, 50).catch(() => undefined);
    try {
      await sleep(500);

      // 1. Every server connection of this database terminated under load.
      phase = 'terminated';
      expect(await terminateConnections(databaseName(db.databaseUrl!))).toBeGreaterThan(0);
      await sleep(700);

      // 2. The server is gone: connections reset, new ones refused.
      phase = 'reset';
      proxy.setMode('reset');
      await sleep(2_500);
      phase = 'after-reset';
      proxy.setMode('up');
      await waitFor(async () => (await call(hub.url, 'GET', '/readyz')).status === 200, 10_000, 50);
      await servedInPhase('after-reset');

      // 3. A network partition: nothing gets through, nothing is refused either.
      phase = 'stall';
      proxy.setMode('stall');
      await sleep(STALL_MS);
      phase = 'after-stall';
      proxy.setMode('up');
      await waitFor(async () => (await call(hub.url, 'GET', '/readyz')).status === 200, 10_000, 50);
      await servedInPhase('after-stall');
    } finally {
      proxy.setMode('up');
      await stop();
    }
    const detail = `${summary(outcomes)}\n${warnings()}`;

    // Only successes and 503s, and no request hung.
    const unexpected = outcomes.filter((o) => ![200, 201, 503].includes(o.status));
    expect(unexpected, detail).toEqual([]);
    for (const o of outcomes.filter((o) => o.status === 503)) expect(o.type, detail).toBe('service_unavailable');
    expect(Math.max(...outcomes.map((o) => o.ms)), detail).toBeLessThan(FAIL_FAST_MS);

    // It really was down, and it served again without a restart.
    expect(outcomes.filter((o) => o.phase === 'reset' && o.status === 503).length, detail).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.phase === 'stall' && o.status === 503).length, detail).toBeGreaterThan(0);
    for (const phaseAfter of ['after-reset', 'after-stall']) {
      const after = outcomes.filter((o) => o.phase === phaseAfter && o.end === phaseAfter);
      expect(after.length, detail).toBeGreaterThan(6);
      expect(after.slice(-6).every((o) => o.status === 200 || o.status === 201), detail).toBe(true);
    }
    const created = await call(hub.url, 'POST', '/api/v1/widget-keys', { key: secretKey, body: { name: 'after', domain_allowlist: [] } });
    expect(created.status).toBe(201);

    // The process never died.
    expect(hub.child.exitCode, hub.output()).toBeNull();
    expect((await call(hub.url, 'GET', '/healthz')).body).toEqual({ status: 'ok', database: 'ok' });

    // No acknowledged write lost.
    const acknowledged = outcomes.filter((o) => o.id).map((o) => o.id!);
    expect(acknowledged.length).toBeGreaterThan(10);
    const stored = new Set((await adminQuery('select id from widget_keys', [], db.databaseUrl!)).map((r) => r.id as string));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    console.info(`[faults/postgres] ${summary(outcomes)}\n${warnings()}`);
  }, 60_000);
});
