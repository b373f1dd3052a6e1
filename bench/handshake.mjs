/**
 * The handshake under load, beside its baselines, and how its cost scales.
 *
 * Throughput: the real hub (`kataven serve`, SQLite) answering handshakes for 10 keys × 3 page origins,
 * against a bare Fastify app in its own process (bench/bare-server.mjs) answering the very same
 * requests twice over: on a route that sends the handshake's exact bytes and headers with no work behind
 * them (the "same-bytes" route, the baseline the budget is held to) and on a "hello" route. The hub runs
 * twice: rate limit off, and on (as in production) with a limit no run reaches, so its bookkeeping is
 * paid but nothing is refused. Same load tool (autocannon), same connections, same duration, runs
 * alternated A B C D A B C D … and reduced to medians. With KATAVEN_TEST_DATABASE_URL, the hub on a
 * fresh PostgreSQL database joins the rotation.
 *
 * Scaling: one store grown from 10 to 1,000 to 100,000 widget keys; at each size the hub answers keys
 * whose allowlist has 1 entry and keys whose allowlist has 100 (the matching entry last), over one
 * connection so that the latency is the cost of one handshake, not a queue. Measured with the key
 * cache as shipped, and with it off (KATAVEN_KEY_CACHE_TTL_MS=0: every handshake reads its key from the
 * database and compiles its allowlist), which is what a cache miss costs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { cpuMs } from './lib/cpu.mjs';
import { load } from './lib/load.mjs';
import { freePort, onCleanup, ROOT, spawnNode, startHub, waitForHttp } from './lib/proc.mjs';
import { createAccount, handshakeRequest, insertKeys, makeKeys } from './lib/seed.mjs';
import { median } from './lib/stats.mjs';

export const tempDir = (label) => {
  const dir = mkdtempSync(join(tmpdir(), `kataven-bench-${label}-`));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** Filler keys: real keys with a one-entry allowlist of their own, never requested. */
const filler = (product, count, offset) => makeKeys(product, count, (i) => [`customer-${offset + i}.example.org`]);

/** Headers of the connection, not of the route's answer: the bare app's Node sets its own. */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/**
 * The hub's answer to one request per Origin, as the same-bytes route will send it: the body and every
 * header but the transport's (date, connection, length), the request id included.
 */
async function captureAnswers(hubUrl, requests) {
  const answers = {};
  for (const r of requests) {
    const origin = r.headers.origin;
    if (answers[origin]) continue;
    const res = await fetch(hubUrl + r.path, { method: r.method, headers: r.headers, body: r.body });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`capturing the handshake for ${origin}: HTTP ${res.status} ${body.slice(0, 200)}`);
    const headers = Object.fromEntries([...res.headers].filter(([name]) => !TRANSPORT_HEADERS.has(name)));
    answers[origin] = { body, headers };
  }
  return answers;
}

/**
 * The bare app (bench/bare-server.mjs), its same-bytes route answering what the hub at `hubUrl` answers
 * to `requests`; `nodeArgs` e.g. `--cpu-prof`.
 */
export async function startBare(hubUrl, requests, nodeArgs = []) {
  const answers = await captureAnswers(hubUrl, requests);
  const answersFile = join(tempDir('answers'), 'answers.json');
  writeFileSync(answersFile, JSON.stringify(answers));
  const port = await freePort();
  const proc = spawnNode([...nodeArgs, join(ROOT, 'bench/bare-server.mjs'), String(port), answersFile]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/hello`, proc);
  const answerBytes = Object.fromEntries(Object.entries(answers).map(([origin, a]) => [origin, Buffer.byteLength(a.body)]));
  return { url, proc, answerBytes, stop: () => proc.stop() };
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

/** 10 keys, each allowing its shop, the shop's subdomains and a local dev server, and their requests. */
export function throughputKeys(product) {
  const keys = makeKeys(product, 10, (i) => [`shop-${i}.example.com`, `*.shop-${i}.example.com`, 'localhost:3000']);
  const requests = keys.flatMap(({ key }, i) =>
    [`https://shop-${i}.example.com`, `https://www.shop-${i}.example.com`, 'http://localhost:3000'].map((o) => handshakeRequest(product, key, o)),
  );
  return { keys, requests };
}

/** A store with an account, `keys` and 990 other keys around them. */
export async function seedThroughputStore(product, store, keys) {
  const account = await createAccount(store);
  await insertKeys(product, store, account.account_id, [...keys, ...filler(product, 990, 0)]);
}

/** A limit per key and address that no run reaches: the limiter counts every handshake, refuses none. */
const UNREACHED_RATE_LIMIT = '1000000';

export async function handshakeThroughput(product, { pgAdminUrl, duration, rounds, log }) {
  const { keys, requests } = throughputKeys(product);
  const sqlite = { dataDir: tempDir('sqlite') };
  await seedThroughputStore(product, sqlite, keys);
  const hub = await startHub(sqlite);
  const servers = [{ name: 'handshake', requests, ...hub }];
  // The same SQLite file (WAL) behind a second hub that counts every handshake in its rate limiter.
  servers.push({ name: 'handshake-rl', requests, ...(await startHub({ ...sqlite, env: { KATAVEN_HANDSHAKE_RATE_LIMIT: UNREACHED_RATE_LIMIT } })) });
  const bare = await startBare(hub.url, requests);
  servers.push({ name: 'same-bytes', requests: requests.map((r) => ({ ...r, path: '/handshake' })), ...bare });
  // The bare app is one process serving both baselines, measured one after the other like the rest.
  servers.push({ name: 'hello', requests: requests.map((r) => ({ ...r, path: '/hello' })), ...bare, stop: async () => {} });
  let pgError = null;
  if (pgAdminUrl) {
    // A PostgreSQL problem (server down, no right to create a database) costs only the PostgreSQL figure.
    try {
      const store = { dataDir: tempDir('pg'), databaseUrl: await freshPostgres(pgAdminUrl) };
      await seedThroughputStore(product, store, keys);
      servers.push({ name: 'handshake-pg', requests, ...(await startHub(store)) });
    } catch (err) {
      pgError = String(err?.message ?? err).split('\n')[0];
      log(`  PostgreSQL run skipped: ${pgError}`);
    }
  }
  try {
    // Warm-up: JIT, key cache, and each key's first use (written before the first answer). After 1 s the
    // hub's first round still cost ~1.7× the CPU of the later ones (V8 was still optimising): 3 s.
    for (const s of servers) await load(s.url, s.requests, { duration: 3 });
    const runs = Object.fromEntries(servers.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const s of servers) {
        const r = await measure(s, s.requests, { duration });
        runs[s.name].push(r);
        log(`  round ${round + 1}/${rounds} ${s.name.padEnd(13)} ${Math.round(r.rps)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ${Math.round(r.cpuUsPerRequest)} µs CPU/req`);
      }
    }
    const out = Object.fromEntries(Object.entries(runs).map(([name, rs]) => [name, summarize(rs)]));
    // Each round's run is paired with the baseline's run of the same round, so slow drifts of a shared
    // machine cancel out; the median of those ratios is the figure.
    const ratio = (name, base) => median(runs[name].map((r, i) => r.rps / runs[base][i].rps));
    out.ratios = {
      sameBytes: ratio('handshake', 'same-bytes'),
      sameBytesRateLimited: ratio('handshake-rl', 'same-bytes'),
      hello: ratio('handshake', 'hello'),
      sameBytesToHello: ratio('same-bytes', 'hello'),
      ...(runs['handshake-pg'] ? { sameBytesPg: ratio('handshake-pg', 'same-bytes') } : {}),
    };
    // The same pairing in CPU time per request: what a quiet machine's throughput ratio would be, and
    // far steadier than throughput when other work shares the cores.
    out.cpuRatioSameBytes = median(runs.handshake.map((r, i) => runs['same-bytes'][i].cpuUsPerRequest / r.cpuUsPerRequest));
    out.answerBytes = bare.answerBytes;
    if (pgError) out.pgError = pgError;
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

/**
 * The blocked-origin recorder under a flood of forged origins (issue 14): the same 10 real keys answered
 * for their shops (200), and refused for FORGED_ORIGINS distinct made-up origins (403, each refusal
 * recorded: in memory, batched, at most 100 origins a key). 2,000 is twice what the recorder keeps for
 * 10 keys; autocannon cycles through prebuilt requests, and with 20,000 of them the load tool itself
 * stalls (timeouts even on refusals that touch no recorder: malformed keys). Per round, alternated:
 * the real handshakes alone, the forged ones alone, then both at once. After the rounds, the rows the
 * flood left in the table.
 */
export const FORGED_ORIGINS = 2_000;

export async function handshakeForgedOrigins(product, { duration, rounds, log }) {
  const keys = makeKeys(product, 10, (i) => [`shop-${i}.example.com`]);
  const requests = keys.map(({ key }, i) => handshakeRequest(product, key, `https://shop-${i}.example.com`));
  const forged = Array.from({ length: FORGED_ORIGINS }, (_, n) => handshakeRequest(product, keys[n % keys.length].key, `https://forged-${n}.example.net`));
  const store = { dataDir: tempDir('forged') };
  const account = await createAccount(store);
  await insertKeys(product, store, account.account_id, [...keys, ...filler(product, 990, 0)]);
  const hub = await startHub(store);
  const alone = [];
  const refused = [];
  const during = [];
  try {
    await load(hub.url, requests, { duration: 1 });
    for (let round = 0; round < rounds; round++) {
      alone.push(await measure(hub, requests, { duration }));
      refused.push(await measure(hub, forged, { duration, expectStatus: 403 }));
      const [real, bad] = await Promise.all([load(hub.url, requests, { duration }), load(hub.url, forged, { duration, expectStatus: 403 })]);
      during.push({ ...real, flood: bad.rps });
      log(`  round ${round + 1}/${rounds} allowed alone ${Math.round(alone.at(-1).rps)} req/s, forged-origin refusals alone ${Math.round(refused.at(-1).rps)} req/s, allowed during the flood ${Math.round(real.rps)} req/s (flood ${Math.round(bad.rps)} req/s)`);
    }
  } finally {
    await hub.stop();
  }
  const db = new Database(join(store.dataDir, 'kataven.sqlite'), { readonly: true });
  let rows;
  try {
    rows = db.prepare('SELECT count(*) AS n FROM blocked_origins').get().n;
  } finally {
    db.close();
  }
  return {
    alone: median(alone.map((r) => r.rps)),
    refused: median(refused.map((r) => r.rps)),
    refusedToAllowed: median(refused.map((r, i) => r.rps / alone[i].rps)),
    refusedCpuUsPerRequest: median(refused.map((r) => r.cpuUsPerRequest)),
    allowedCpuUsPerRequest: median(alone.map((r) => r.cpuUsPerRequest)),
    during: median(during.map((r) => r.rps)),
    flood: median(during.map((r) => r.flood)),
    ratio: median(during.map((r, i) => r.rps / alone[i].rps)),
    storedRows: rows,
    keys: keys.length,
  };
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
