/**
 * Where a handshake's CPU time goes: the hub (`kataven serve`, as the bench runs it) under
 * `node --cpu-prof`, loaded with the bench's handshakes, then the profile's self time per function and
 * per file or package. After `node build.mjs`:
 *
 *   node bench/profile-handshake.mjs [--seconds 6] [--rate-limit | --same-bytes] [--top 30]
 *
 * --rate-limit: the limiter on, as in production, with a limit no run reaches. --same-bytes: profile the
 * bench's baseline instead (bench/bare-server.mjs answering the hub's bytes), to compare per request.
 * Only the measured load is counted (not start-up, not warm-up). The .cpuprofile file is kept (its path
 * is printed) for Chrome DevTools or speedscope.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedThroughputStore, startBare, tempDir, throughputKeys } from './handshake.mjs';
import { load } from './lib/load.mjs';
import { runCleanups, snapshotDist, startHub } from './lib/proc.mjs';
import { loadProduct } from './lib/product.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const seconds = option('--seconds', 6);
const top = option('--top', 30);

/**
 * Self time (µs) per profile node over [fromUs, toUs]: V8 stamps samples with the system's monotonic
 * clock, the one process.hrtime reads here, so start-up and warm-up are left out.
 */
function selfTimes(profile, fromUs, toUs) {
  const self = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = Math.max(0, profile.timeDeltas[i] ?? 0);
    t += delta;
    if (t >= fromUs && t <= toUs) self.set(id, (self.get(id) ?? 0) + delta);
  });
  return self;
}
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** `node_modules/fastify/lib/reply.js` → `fastify`; the hub's bundle → `hub (dist/cli.js)`; built-ins by module. */
function owner(url) {
  if (!url) return '(native or V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return url;
  if (url.endsWith('/cli.js')) return 'hub (dist/cli.js)';
  return url.replace(/^file:\/\//, '');
}

function report(profile, window, requests) {
  const self = selfTimes(profile, window.from, window.to);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((a, n) => a + (self.get(n.id) ?? 0), 0);
  const busy = total - idle;
  const byFunction = new Map();
  const byOwner = new Map();
  for (const n of profile.nodes) {
    const us = self.get(n.id) ?? 0;
    if (!us || n.callFrame.functionName === '(idle)') continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = `${functionName || '(anonymous)'}  ${owner(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byOwner.set(owner(url), (byOwner.get(owner(url)) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)} %  ${(us / requests).toFixed(2).padStart(6)} µs/req`;
  console.log(`\nbusy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled, ${(busy / requests).toFixed(1)} µs per request; self time\n\nby file or package:`);
  for (const [name, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(us)}  ${name}`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${name}`);
}

async function main() {
  await snapshotDist();
  const product = await loadProduct();
  const { keys, requests } = throughputKeys(product);
  const store = { dataDir: tempDir('profile') };
  await seedThroughputStore(product, store, keys);
  const profileDir = mkdtempSync(join(tmpdir(), 'kataven-profile-'));
  const profiling = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const sameBytes = argv.includes('--same-bytes');
  const env = argv.includes('--rate-limit') ? { KATAVEN_HANDSHAKE_RATE_LIMIT: '1000000' } : {};
  const hub = await startHub({ ...store, env, nodeArgs: sameBytes ? [] : profiling });
  const bare = sameBytes ? await startBare(hub.url, requests, profiling) : null;
  const target = bare ?? hub;
  const targetRequests = bare ? requests.map((r) => ({ ...r, path: '/handshake' })) : requests;
  const window = {};
  let answered = 0;
  try {
    await load(target.url, targetRequests, { duration: 1 }); // warm-up: JIT, key cache, first use
    window.from = nowUs();
    const r = await load(target.url, targetRequests, { duration: seconds });
    window.to = nowUs();
    answered = r.requests;
    console.log(`${sameBytes ? 'same-bytes route' : 'hub handshake'}: ${Math.round(r.rps)} req/s for ${seconds} s (autocannon, 10 connections)`);
  } finally {
    // SIGTERM: the process drains and exits, and Node writes the profile.
    await bare?.stop();
    await hub.stop();
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
  report(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), window, answered);
  // The measured window (µs, the profile's clock) and the requests answered in it, for further analysis.
  writeFileSync(join(profileDir, 'window.json'), JSON.stringify({ ...window, requests: answered }));
  console.log(`\nprofile: ${join(profileDir, file)}, measured window in window.json beside it`);
}

main()
  .catch((err) => {
    console.error(err?.stack ?? err);
    process.exitCode = 1;
  })
  .finally(runCleanups);
