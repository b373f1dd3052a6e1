/**
 * The handshake under load, beside its baseline, and how its cost scales.
 *
 * Throughput: the real hub (`kataven serve`, SQLite, rate limit off) answering handshakes for 10 keys ×
 * 3 page origins, against a bare Fastify app (bench/bare-server.mjs) answering the very same requests on
 * a "hello" route. Same load tool (autocannon), same connections, same duration, runs alternated
 * A B A B … and reduced to medians. With KATAVEN_TEST_DATABASE_URL, a third server joins the rotation:
 * the hub on a fresh PostgreSQL database.
 *
 * Scaling: one store grown from 10 to 1,000 to 100,000 widget keys; at each size the hub answers keys
 * whose allowlist has 1 entry and keys whose allowlist has 100 (the matching entry last), over one
 * connection so that the latency is the cost of one handshake, not a queue. Measured with the key
 * cache as shipped, and with it off (KATAVEN_KEY_CACHE_TTL_MS=0: every handshake reads its key from the
 * database and compiles its allowlist), which is what a cache miss costs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cpuMs } from './lib/cpu.mjs';
import { load } from './lib/load.mjs';
import { freePort, onCleanup, ROOT, spawnNode, startHub, waitForHttp } from './lib/proc.mjs';
import { createAccount, handshakeRequest, insertKeys, makeKeys } from './lib/seed.mjs';
import { median } from './lib/stats.mjs';

const tempDir = (label) => {
  const dir = mkdtempSync(join(tmpdir(), `kataven-bench-${label}-`));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** Filler keys: real keys with a one-entry allowlist of their own, never requested. */
const filler = (product, count, offset) => makeKeys(product, count, (i) => [`customer-${offset + i}.example.org`]);

async function startBare() {
  const port = await freePort();
  const proc = spawnNode([join(ROOT, 'bench/bare-server.mjs'), String(port)]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/hello`, proc);
  return { url, proc, stop: () => proc.stop() };
}

/** A fresh PostgreSQL database next to the one in `adminUrl`, dropped when the bench ends. */
async function freshPostgres(adminUrl) {
  const name = `kataven_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (text) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  onCleanup(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One measured run: throughput, exact latencies, and the server's CPU time per request. */
async function measure(server, requests, options) {
  const before = cpuMs(server.proc.child.pid);
  const r = await load(server.url, requests, options);
  r.cpuUsPerRequest = ((cpuMs(server.proc.child.pid) - before) * 1000) / r.requests;
  return r;
}

const summarize = (runs) => ({
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  cpuUsPerRequest: median(runs.map((r) => r.cpuUsPerRequest)),
  runs: runs.map((r) => Math.round(r.rps)),
});

export async function handshakeThroughput(product, { pgAdminUrl, duration, rounds, log }) {
  // 10 keys, each allowing its shop, the shop's subdomains and a local dev server; 990 other keys around them.
  const keys = makeKeys(product, 10, (i) => [`shop-${i}.example.com`, `*.shop-${i}.example.com`, 'localhost:3000']);
  const requests = keys.flatMap(({ key }, i) =>
    [`https://shop-${i}.example.com`, `https://www.shop-${i}.example.com`, 'http://localhost:3000'].map((o) => handshakeRequest(product, key, o)),
  );
  const bareRequests = requests.map((r) => ({ ...r, path: '/hello' }));

  const servers = [];
  const sqlite = { dataDir: tempDir('sqlite') };
  const account = await createAccount(sqlite);
  await insertKeys(product, sqlite, account.account_id, [...keys, ...filler(product, 990, 0)]);
  servers.push({ name: 'handshake', requests, ...(await startHub(sqlite)) });
  servers.push({ name: 'bare', requests: bareRequests, ...(await startBare()) });
  let pgError = null;
  if (pgAdminUrl) {
    // A PostgreSQL problem (server down, no right to create a database) costs only the PostgreSQL figure.
    try {
      const store = { dataDir: tempDir('pg'), databaseUrl: await freshPostgres(pgAdminUrl) };
      const pgAccount = await createAccount(store);
      await insertKeys(product, store, pgAccount.account_id, [...keys, ...filler(product, 990, 0)]);
      servers.push({ name: 'handshake-pg', requests, ...(await startHub(store)) });
    } catch (err) {
      pgError = String(err?.message ?? err).split('\n')[0];
      log(`  PostgreSQL run skipped: ${pgError}`);
    }
  }
  try {
    // Warm-up: JIT, key cache, and each key's first use (written before the first answer).
    for (const s of servers) await load(s.url, s.requests, { duration: 1 });
    const runs = Object.fromEntries(servers.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const s of servers) {
        const r = await measure(s, s.requests, { duration });
        runs[s.name].push(r);
        log(`  round ${round + 1}/${rounds} ${s.name.padEnd(13)} ${Math.round(r.rps)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`);
      }
    }
    const out = Object.fromEntries(Object.entries(runs).map(([name, rs]) => [name, summarize(rs)]));
    // Each round's handshake run is paired with the bare run next to it, so slow drifts of a shared
    // machine cancel out; the median of those ratios is the figure.
    out.ratio = median(runs.handshake.map((r, i) => r.rps / runs.bare[i].rps));
    if (pgError) out.pgError = pgError;
    if (runs['handshake-pg']) out.ratioPg = median(runs['handshake-pg'].map((r, i) => r.rps / runs.bare[i].rps));
    return out;
  } finally {
    for (const s of servers) await s.stop();
  }
}

/**
 * Real keys during a flood of made-up ones: the hub as shipped (unknown keys limited per address, misses
 * cached apart from real keys) answers 10 real keys × 3 origins on 10 connections, alone and then while
 * 10 more connections send well-formed keys that do not exist (404 until the address is over its limit,
 * then 429), alternated over `rounds`. The figure is the real keys' throughput during the flood against
 * alone.
 */
export async function handshakeDuringFlood(product, { duration, rounds, log }) {
  const keys = makeKeys(product, 10, (i) => [`shop-${i}.example.com`]);
  const requests = keys.map(({ key }, i) => handshakeRequest(product, key, `https://shop-${i}.example.com`));
  const flood = Array.from({ length: 1000 }, () => handshakeRequest(product, product.generateKey(product.PUBLIC_KEY_PREFIX), 'https://shop-0.example.com'));
  const store = { dataDir: tempDir('flood') };
  const account = await createAccount(store);
  await insertKeys(product, store, account.account_id, [...keys, ...filler(product, 990, 0)]);
  // The per-key limit off, as in the throughput run; the unknown-key limit as shipped.
  const hub = await startHub(store);
  try {
    await load(hub.url, requests, { duration: 1 });
    const alone = [];
    const during = [];
    for (let round = 0; round < rounds; round++) {
      alone.push(await measure(hub, requests, { duration }));
      const [real, bad] = await Promise.all([
        load(hub.url, requests, { duration }),
        load(hub.url, flood, { duration, expectStatus: [404, 429] }),
      ]);
      during.push({ ...real, flood: bad.rps });
      log(`  round ${round + 1}/${rounds} alone ${Math.round(alone.at(-1).rps)} req/s, during the flood ${Math.round(real.rps)} req/s (flood answered ${Math.round(bad.rps)} req/s)`);
    }
    return {
      alone: median(alone.map((r) => r.rps)),
      during: median(during.map((r) => r.rps)),
      flood: median(during.map((r) => r.flood)),
      ratio: median(during.map((r, i) => r.rps / alone[i].rps)),
    };
  } finally {
    await hub.stop();
  }
}

/** 100 allowlist entries of several kinds, none matching, then `match` last. */
function longAllowlist(i, match) {
  const list = [];
  for (let j = 0; list.length < 99; j++) {
    const kind = j % 4;
    if (kind === 0) list.push(`brand-${i}-${j}.example.net`);
    else if (kind === 1) list.push(`*.brand-${i}-${j}.example.net`);
    else if (kind === 2) list.push(`brand-${i}-${j}.example.net:8443`);
    else list.push(`http://brand-${i}-${j}.example.net`);
  }
  list.push(match);
  return list;
}

export const SCALE_STEPS = [10, 1_000, 100_000];

export async function handshakeScaling(product, { duration, log }) {
  const store = { dataDir: tempDir('scale') };
  const account = await createAccount(store);
  // The measured keys: 5 with a one-entry allowlist, 5 with 100 entries; they count towards the total.
  const short = makeKeys(product, 5, (i) => [`short-${i}.example.com`]);
  const long = makeKeys(product, 5, (i) => longAllowlist(i, `long-${i}.example.com`));
  const sets = [
    [1, short.map(({ key }, i) => handshakeRequest(product, key, `https://short-${i}.example.com`))],
    [100, long.map(({ key }, i) => handshakeRequest(product, key, `https://long-${i}.example.com`))],
  ];
  let total = 0;
  const results = [];
  for (const size of SCALE_STEPS) {
    const add = total === 0 ? [...short, ...long, ...filler(product, size - 10, 0)] : filler(product, size - total, total);
    await insertKeys(product, store, account.account_id, add);
    total = size;
    // Both hubs read the same SQLite file (WAL); they start together and are measured one after the other.
    const hubs = await Promise.all([
      startHub(store).then((hub) => ({ cache: 'on', hub })),
      startHub({ ...store, env: { KATAVEN_KEY_CACHE_TTL_MS: '0' } }).then((hub) => ({ cache: 'off', hub })),
    ]);
    try {
      for (const { hub } of hubs) for (const [, requests] of sets) await load(hub.url, requests, { duration: 0.3, connections: 1 });
      for (const { cache, hub } of hubs) {
        for (const [allowlist, requests] of sets) {
          // One connection: each handshake waits for the previous one, so the latency is the cost of one
          // handshake plus the loopback round trip, with no queue in front of it.
          const r = await load(hub.url, requests, { duration, connections: 1 });
          results.push({ keys: size, cache, allowlist, p50: r.p50, p99: r.p99 });
          log(`  ${String(size).padStart(6)} keys, cache ${cache.padEnd(3)}, allowlist ${String(allowlist).padStart(3)}: p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms`);
        }
      }
    } finally {
      await Promise.all(hubs.map(({ hub }) => hub.stop()));
    }
  }
  const order = (r) => (r.cache === 'on' ? 0 : 1) * 10 + (r.allowlist === 1 ? 0 : 1);
  return results.sort((a, b) => order(a) - order(b) || a.keys - b.keys);
}
