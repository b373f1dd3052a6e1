/**
 * What a visitor's browser does: Chromium (playwright-core) loads the demo customer page (examples/site,
 * served as `kataven demo` serves it: lib/site.mjs) from an origin in the key's allowlist.
 *
 * - Time to launcher: navigation start → the frame's `ready` (the moment the loader makes the iframe
 *   visible), read as `performance.now()` in a `Kataven('on', 'ready', …)` handler queued through the
 *   README's stub. Each load is a visitor's first page view (a fresh browser context: empty cache, new
 *   renderer), followed by a second view of the same page in the same tab (cache warm).
 * - Floor: the same page doing the network work with no logic: one fetch to the hub, then an iframe of
 *   a static hub file, timed at that iframe's `load`. Loads alternate launcher, floor, launcher, ….
 * - Requests until `ready` (every frame, from Playwright) and CORS preflights (OPTIONS, from the Chrome
 *   DevTools Protocol: Playwright does not report preflights).
 * - The loader's main-thread time on the customer's page, from Chrome traces of separate loads of the
 *   unmodified demo page (tracing slows the page, so those loads are not timed), against the floor's
 *   inline script; and the loader's CPU time from traces with the V8 profiler in them, its own
 *   JavaScript apart from the browser work it calls into (lib/trace.mjs, loaderCpu), and the browser's
 *   work inside the DOM getters, setters and constructors that profile cannot tell from the loader's
 *   own (lib/dom-steps.mjs).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { analyzeTrace, loaderCpu, PROFILE_CATEGORIES, TRACE_CATEGORIES } from './lib/trace.mjs';
import { ARGS, chromiumPath } from './lib/chromium.mjs';
import { DIST, freePort, onCleanup, ROOT, startHub } from './lib/proc.mjs';
import { measureSteps, stepPages } from './lib/dom-steps.mjs';
import { createAccount } from './lib/seed.mjs';
import { startSite } from './lib/site.mjs';
import { median } from './lib/stats.mjs';

// For the latency runs only, site isolation off: a cross-site iframe then shares the page's renderer and
// DevTools target, so one Network.emulateNetworkConditions covers the page, the loader, the handshake and
// the frame alike (with it on, the frame is an out-of-process target the page's emulation does not
// reach). The other figures (traces, profiles) keep the default process model.
export const LATENCY_ARGS = [...ARGS, '--disable-site-isolation-trials', '--disable-features=IsolateOrigins,site-per-process'];
export const READY = 'kataven-bench:ready:';


/**
 * The demo page with the stub and a ready handler in <head>, and the floor: the same page without the
 * loader tag and with an inline script at the top of <head>; `cssPath` (the frame's stylesheet on the
 * hub) is its static page. `report`: what each page runs at `ready` or at its iframe's `load` (the
 * traces of bench/launch-trace.mjs add a performance mark).
 */
export function pages(cssPath, report = `console.debug('${READY}' + performance.now())`) {
  const index = readFileSync(join(ROOT, 'examples/site/index.html'), 'utf8');
  const stub = `<script>window.Kataven = window.Kataven || function () { (Kataven.q = Kataven.q || []).push(arguments); };
Kataven('on', 'ready', function () { ${report}; });</script>\n</head>`;
  if (!index.includes('</head>') || !/<script src="\{\{HUB\}\}\/widget\/v1\/loader\.js"[^>]*><\/script>/.test(index)) {
    throw new Error('examples/site/index.html no longer has </head> and the loader tag where the bench expects them');
  }
  const launcher = index.replace('</head>', stub);
  // The floor's script runs where a page's first script can: at the top of <head>, before the page's
  // stylesheet (an inline script after a stylesheet waits for it; the async loader tag does not).
  const floor = index.replace(/<script src="\{\{HUB\}\}\/widget\/v1\/loader\.js"[^>]*><\/script>/, '').replace(
    '<head>',
    `<head><script>fetch('{{HUB}}/healthz', { mode: 'no-cors', credentials: 'omit' }).then(function () {
  var f = document.createElement('iframe');
  f.onload = function () { ${report}; };
  f.src = '{{HUB}}${cssPath}';
  document.documentElement.appendChild(f);
});</script>`,
  );
  // For the traces: the same floor with no handler (the demo page itself, '/', is the launcher's).
  const quietFloor = floor.replace(`f.onload = function () { ${report}; };\n  `, '');
  // For the profiles: the demo page with a script of the page's own that touches an element before the
  // loader runs, as some script on almost every real page has. The first element a page's scripts touch
  // sets up the interfaces every element shares (about 0.4 ms: "Where the loader's own JavaScript
  // goes"); on the bare demo page the loader pays it.
  const touched = index.replace('</head>', '<script>document.head</script>\n</head>');
  return { '/bench-launcher.html': launcher, '/bench-floor.html': floor, '/bench-floor-quiet.html': quietFloor, '/bench-touched.html': touched };
}

/**
 * A visitor's first page view (fresh context: empty cache, new renderer process), then a second view of
 * the same page in the same tab (warm HTTP cache, same renderer), each timed to READY. Requests and
 * preflights are counted on the first view.
 */
async function visit(browser, url, latency = 0) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const requests = [];
    const timings = [];
    let preflights = 0;
    context.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    // The waterfall: when each request started and ended (Playwright's Resource Timing of each request).
    const record = (r) => {
      const t = r.timing();
      timings.push({ name: `${r.method()} ${r.url()}`, start: t.startTime, end: t.startTime + Math.max(t.responseEnd, 0) });
    };
    context.on('requestfinished', record);
    // An opaque (no-cors) answer, like the floor's fetch, may be reported as failed: it still took its time.
    context.on('requestfailed', record);
    const cdp = await context.newCDPSession(page);
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.method === 'OPTIONS') preflights++;
    });
    await cdp.send('Network.enable');
    // Chromium's network emulation: every request's answer waits `latency` ms (one round trip), with
    // no bandwidth limit. The widget's frame is in the page's process (see ARGS), so this covers it too.
    if (latency) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: -1, uploadThroughput: -1 });
    // The page reports through the console, so Playwright runs no script of its own in the page.
    let onReady = () => {};
    page.on('console', (m) => {
      if (m.text().startsWith(READY)) onReady(Number(m.text().slice(READY.length)));
    });
    const view = async () => {
      const ready = new Promise((ok) => (onReady = ok));
      await page.goto(url, { waitUntil: 'commit' });
      return within(ready, 15_000, `no ready from ${url}`);
    };
    const first = { ms: await view(), requests: [...requests], preflights, timings: [...timings] };
    timings.length = 0;
    const repeat = { ms: await view(), timings: [...timings] };
    return { first, repeat };
  } finally {
    await context.close();
  }
}

/**
 * Traced first and second views of a page with no bench code in it. Each trace runs until a request
 * matching `last` has been sent plus `settleMs` (enough for the frame to say ready): nothing observes the
 * page from inside, since a handler or a polling wait would add its own script time to the loader's.
 * `categories`: TRACE_CATEGORIES for script time, PROFILE_CATEGORIES for loaderCpu (the profiler slows
 * the page more, so those are separate loads).
 */
async function traceVisit(browser, url, last, settleMs, categories = TRACE_CATEGORIES) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    let onLast = () => {};
    context.on('request', (r) => last(r.url()) && onLast());
    const traced = async () => {
      const finished = new Promise((ok) => (onLast = ok));
      await browser.startTracing(page, { categories });
      await page.goto(url, { waitUntil: 'commit' });
      await within(finished, 15_000, `${url}: the last request was never sent`);
      await page.waitForTimeout(settleMs);
      return JSON.parse((await browser.stopTracing()).toString('utf8'));
    };
    return { first: await traced(), repeat: await traced() };
  } finally {
    await context.close();
  }
}

const within = (promise, ms, message) =>
  Promise.race([promise, new Promise((_, fail) => setTimeout(() => fail(new Error(`${message} within ${ms / 1000} s`)), ms).unref())]);

/** Fills `result` as it goes, so what was measured survives a failure further on. */
/** One line per request: start and end in ms from the first request (the page), a bar, method and path. */
function waterfall(timings, hubUrl, siteUrl) {
  const sorted = [...timings].sort((a, b) => a.start - b.start);
  const t0 = sorted[0]?.start ?? 0;
  const scale = 20; // ms per bar character
  return sorted.map((t) => {
    const a = t.start - t0;
    const b = t.end - t0;
    const bar = ' '.repeat(Math.round(a / scale)) + '█'.repeat(Math.max(1, Math.round((b - a) / scale)));
    const name = t.name.replace(hubUrl, 'hub').replace(siteUrl, 'site').replace(/\?.*$/, '');
    return `${a.toFixed(0).padStart(5)} – ${b.toFixed(0).padStart(5)}  ${bar.padEnd(40)} ${name}`;
  });
}

/**
 * A hub of its own (an account in a temporary data directory), and a widget key made the way a site
 * owner makes it: through the Admin API, for the exact origin of the site to come, on `port`.
 */
export async function hubWithSiteKey() {
  const dataDir = mkdtempSync(join(tmpdir(), 'kataven-bench-browser-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const account = await createAccount({ dataDir });
  const hub = await startHub({ dataDir });
  onCleanup(() => hub.stop());
  const port = await freePort();
  const res = await fetch(`${hub.url}/api/v1/widget-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${account.secret_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench site', domain_allowlist: [`localhost:${port}`] }),
  });
  if (res.status !== 201) throw new Error(`creating the bench widget key: HTTP ${res.status} ${await res.text()}`);
  return { hub, port, widgetKey: await res.json() };
}

export async function browserFigures({ loads, traced, profiles = 2 * traced, warmup, log, latencies = [50, 100, 200], latencyLoads = 10 }, result = {}) {
  const { hub, port, widgetKey } = await hubWithSiteKey();

  // The frame as this hub serves it to an allowed page: one document per language (the hub picks by
  // Accept-Language), its CSS and JS inline; the budget holds for the largest. The floor's iframe loads
  // a static hub file of about the document's size, the frame's stylesheet (cacheable, like the floor's
  // iframe document should be at its best).
  const manifest = JSON.parse(readFileSync(join(DIST, 'frame/manifest.json'), 'utf8'));
  const frameUrl = hub.url + `/widget/v1/frame?k=${widgetKey.key}&o=http://localhost:${port}`;
  const documents = {};
  for (const language of Object.keys(manifest.js)) {
    const r = await fetch(frameUrl, { headers: { 'accept-language': language } });
    if (r.status !== 200) throw new Error(`GET the frame in ${language}: HTTP ${r.status}`);
    documents[language] = Buffer.from(await r.arrayBuffer());
  }
  result.frame = { documents };
  const cssPath = `/widget/v1/assets/${manifest.css}`;

  const site = await startSite({ hubUrl: hub.url, clientKey: widgetKey.key, port, extraPages: { ...pages(cssPath), ...stepPages() } });
  onCleanup(() => site.close());

  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ARGS });
  onCleanup(() => browser.close());
  const launcherUrl = `${site.url}/bench-launcher.html`;
  const floorUrl = `${site.url}/bench-floor.html`;
  for (let i = 0; i < warmup; i++) {
    await visit(browser, launcherUrl);
    await visit(browser, floorUrl);
  }
  // Under emulated latency: launcher and floor alternated, first and second views, medians.
  const shared = await chromium.launch({ executablePath: chromiumPath(), args: LATENCY_ARGS });
  onCleanup(() => shared.close());
  result.latency = [];
  for (const latency of latencies) {
    const l = [];
    const f = [];
    for (let i = 0; i < latencyLoads; i++) {
      l.push(await visit(shared, launcherUrl, latency));
      f.push(await visit(shared, floorUrl, latency));
    }
    const fig = {
      latency,
      launcherMs: median(l.map((v) => v.first.ms)),
      floorMs: median(f.map((v) => v.first.ms)),
      launcherRepeatMs: median(l.map((v) => v.repeat.ms)),
      floorRepeatMs: median(f.map((v) => v.repeat.ms)),
      waterfall: { launcher: waterfall(l.at(-1).first.timings, hub.url, site.url), floor: waterfall(f.at(-1).first.timings, hub.url, site.url) },
    };
    result.latency.push(fig);
    log(`  ${latency} ms latency: launcher ${fig.launcherMs.toFixed(0)} / floor ${fig.floorMs.toFixed(0)} ms first view (${(fig.launcherMs / fig.floorMs).toFixed(2)} ×), ${fig.launcherRepeatMs.toFixed(0)} / ${fig.floorRepeatMs.toFixed(0)} ms second view`);
    for (const which of ['launcher', 'floor']) {
      log(`    waterfall, ${which}, first view (ms from navigation start):`);
      for (const line of fig.waterfall[which]) log(`      ${line}`);
    }
  }
  await shared.close();

  const launcher = [];
  const floor = [];
  const t0 = Date.now();
  for (let i = 0; i < loads; i++) {
    launcher.push(await visit(browser, launcherUrl));
    floor.push(await visit(browser, floorUrl));
  }
  log(`  ${loads} × 2 visits in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const times = (vs, which) => vs.map((v) => v[which].ms.toFixed(0)).join(' ');
  log(`  launcher, first view ms: ${times(launcher, 'first')}`);
  log(`  floor,    first view ms: ${times(floor, 'first')}`);
  log(`  launcher, second view ms: ${times(launcher, 'repeat')}`);
  log(`  floor,    second view ms: ${times(floor, 'repeat')}`);
  result.launcherMs = median(launcher.map((v) => v.first.ms));
  result.floorMs = median(floor.map((v) => v.first.ms));
  result.launcherRepeatMs = median(launcher.map((v) => v.repeat.ms));
  result.floorRepeatMs = median(floor.map((v) => v.repeat.ms));
  // Requests to the hub until ready: the same on every load unless something is wrong, so the largest.
  const toHub = (v) => v.first.requests.filter((r) => r.includes(hub.url)).map((r) => r.replace(hub.url, '').replace(/\?.*$/, ''));
  result.hubRequests = launcher.map(toHub).sort((a, b) => b.length - a.length)[0];
  result.allRequests = Math.max(...launcher.map((v) => v.first.requests.length));
  result.preflights = Math.max(...launcher.map((v) => v.first.preflights));

  // Main-thread script time: the loader on the demo page itself ('/'), against the floor page's inline
  // script doing the same fetch and iframe (what any script doing that work pays in this browser).
  const loaderUrl = `${hub.url}/widget/v1/loader.js`;
  const quietFloorUrl = `${site.url}/bench-floor-quiet.html`;
  const runs = { loader: { first: [], repeat: [] }, floor: { first: [], repeat: [] } };
  for (let i = 0; i < traced; i++) {
    const l = await traceVisit(browser, `${site.url}/`, (u) => u.includes('/widget/v1/frame?'), 700);
    const f = await traceVisit(browser, quietFloorUrl, (u) => u.includes('/healthz'), 400);
    for (const which of ['first', 'repeat']) {
      runs.loader[which].push(analyzeTrace(l[which], loaderUrl));
      runs.floor[which].push(analyzeTrace(f[which], quietFloorUrl));
    }
    const show = (a) => `${a.totalMs.toFixed(2)} ms (${a.parts.map((p) => `${p.name} ${p.ms.toFixed(2)}`).join(', ')})`;
    log(`  trace ${i + 1}: loader first view ${show(runs.loader.first[i])}, second ${show(runs.loader.repeat[i])}; floor script ${runs.floor.first[i].totalMs.toFixed(2)} / ${runs.floor.repeat[i].totalMs.toFixed(2)} ms`);
  }
  // The loader's own JavaScript: `profiles` loads, more than the traces, since a first view holds only
  // about 30 profiler samples of the loader's tasks (one is ~0.15 ms of CPU), and a view's figure swings
  // by ±1 ms with where a few of them fall: medians of 10 ranged 0.9–2.3 ms for two loaders 9 B apart in
  // one hour (docs/performance.md, "Less browser work in the loader"). A view the profiler took no sample of
  // while the loader ran measured nothing (lib/trace.mjs, `sampled`): left out, and loaded again, up to
  // twice as many loads.
  const show = (p) => (p.sampled ? `own ${p.ownMs.toFixed(2)}, APIs ${p.apisMs.toFixed(2)}, compile ${p.compileMs.toFixed(2)} ms, ${p.lazyCompiles} lazy compiles` : 'no sample during the evaluation, left out');
  /** `profiles` sampled first and second views of the page at `url`, summarized. */
  const profileLoader = async (url, label) => {
    const profiled = { first: [], repeat: [] };
    const unsampled = { first: 0, repeat: 0 };
    for (let i = 0; i < 2 * profiles && Object.values(profiled).some((list) => list.length < profiles); i++) {
      const v = await traceVisit(browser, url, (u) => u.includes('/widget/v1/frame?'), 700, PROFILE_CATEGORIES);
      const views = { first: loaderCpu(v.first, loaderUrl), repeat: loaderCpu(v.repeat, loaderUrl) };
      for (const [which, p] of Object.entries(views)) {
        if (profiled[which].length >= profiles) continue;
        if (p.sampled) profiled[which].push(p);
        else unsampled[which]++;
      }
      log(`  profile ${i + 1}${label}: loader CPU, first view ${show(views.first)}; second view ${show(views.repeat)}`);
    }
    const cpu = (list, which) => {
      if (!list.length) throw new Error(`no profiled ${which} view of ${url} had a sample during the loader's evaluation`);
      return {
        views: list.length,
        unsampled: unsampled[which],
        ownMs: median(list.map((p) => p.ownMs)),
        ownRange: [Math.min(...list.map((p) => p.ownMs)), Math.max(...list.map((p) => p.ownMs))],
        apisMs: median(list.map((p) => p.apisMs)),
        compileMs: median(list.map((p) => p.compileMs)),
        lazyCompiles: Math.max(...list.map((p) => p.lazyCompiles)),
        lazyCompileMs: median(list.map((p) => p.lazyCompileMs)),
      };
    };
    return Object.fromEntries(Object.entries(profiled).map(([which, list]) => [which, cpu(list, which)]));
  };
  result.loaderCpu = await profileLoader(`${site.url}/`, '');
  // The same loader where the page's own script made the first element wrapper (pages() says why).
  result.loaderCpuTouched = await profileLoader(`${site.url}/bench-touched.html`, ' (element touched first)');
  // The browser's share of that figure: its work inside the DOM getters, setters and constructors the
  // loader's statements call, which the profile counts as the loader's own (lib/dom-steps.mjs). Timed
  // between marks, it is steadier than the profile's few samples: the bare page and one whose script
  // touched an element first differ by ~0.35 ms here, which medians of 10 profiles cannot resolve.
  // Timed between marks, the steps are steady with fewer views.
  result.domSteps = await measureSteps(browser, site.url, 2 * traced);
  log(`  DOM steps of the mount, first view (median µs of ${2 * traced}): ${result.domSteps.bare.steps.map((x) => `${x.name} ${Math.round(x.us)}`).join(', ')}`);
  const summary = (list) => ({
    totalMs: median(list.map((a) => a.totalMs)),
    ...Object.fromEntries(['evaluate', 'listeners', 'microtasks'].map((n) => [n, median(list.map((a) => a.parts.find((p) => p.name === n).ms))])),
  });
  result.scripting = {
    loaderFirst: summary(runs.loader.first),
    loaderRepeat: summary(runs.loader.repeat),
    floorFirst: summary(runs.floor.first),
    floorRepeat: summary(runs.floor.repeat),
  };
  return result;
}
