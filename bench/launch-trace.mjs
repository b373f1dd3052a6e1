/**
 * Where the launcher's time goes (docs/performance.md, "The launcher's gap"), one first view at a time,
 * after `node build.mjs`: a Chrome trace of the demo page with a `ready` handler, under the bench's
 * network emulation, as one list on the trace's clock (ms from the page request): requests, script
 * evaluations, the frame's and the loader's longer calls, timers, animation frames, paints, `ready`.
 *
 *   node bench/launch-trace.mjs [latency ms, 100] [views, 3]
 *   FLOOR=1     the bench's floor page instead (a fetch, then an iframe of a static hub file)
 *   ISOLATED=1  site isolation on, as browsers ship (the frame in a renderer of its own; the emulation
 *               then covers the page's requests only)
 *   PROFILE=1   a V8 CPU profile of each view instead: self and total samples of the top functions
 *   SUMMARY=1   one line per view: the time from the last answer the widget needs to `ready`
 *   NESTED=1    also what runs inside the loader's evaluation (mounting the iframe, the fetch)
 *
 * For reading where the time sits, not for figures: tracing slows the page (the bench times untraced loads).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { hubWithSiteKey, LATENCY_ARGS, pages, READY } from './browser.mjs';
import { ARGS, chromiumPath } from './lib/chromium.mjs';
import { DIST, onCleanup, runCleanups, snapshotDist } from './lib/proc.mjs';
import { startSite } from './lib/site.mjs';

const latency = Number(process.argv[2] ?? 100);
const views = Number(process.argv[3] ?? 3);

try {
  await snapshotDist();
  const { hub, port, widgetKey } = await hubWithSiteKey();
  // The bench's pages, its floor's iframe the frame's stylesheet as there, each with a mark at `ready`.
  const manifest = JSON.parse(readFileSync(join(DIST, 'frame/manifest.json'), 'utf8'));
  const extraPages = pages(`/widget/v1/assets/${manifest.css}`, `performance.mark('kataven-ready'); console.debug('${READY}')`);
  const site = await startSite({ hubUrl: hub.url, clientKey: widgetKey.key, port, extraPages });
  const pageUrl = `${site.url}/bench-${process.env.FLOOR ? 'floor' : 'launcher'}.html`;
  onCleanup(() => site.close());
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: process.env.ISOLATED ? ARGS : LATENCY_ARGS });
  onCleanup(() => browser.close());
  const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'loading', 'v8.execute', 'toplevel', 'blink', 'disabled-by-default-devtools.timeline.frame', 'cc', 'viz'];
  for (let v = 0; v < views; v++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    if (latency) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: -1, uploadThroughput: -1 });
    let ready;
    const got = new Promise((ok) => (ready = ok));
    page.on('console', (m) => m.text() === READY && ready());
    if (process.env.PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
      await page.goto(pageUrl, { waitUntil: 'commit' });
      await got;
      const { profile } = await cdp.send('Profiler.stop');
      await context.close();
      profileReport(profile);
      continue;
    }
    await browser.startTracing(page, { categories });
    await page.goto(pageUrl, { waitUntil: 'commit' });
    await got;
    await page.waitForTimeout(300);
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
    await context.close();
    report(trace.traceEvents ?? trace, hub.url);
  }
} finally {
  await runCleanups();
}

function report(all, hubUrl) {
  // The renderers of the page and the frame only, not the browser's own UI (chrome:// pages).
  const ours = new Set(all.filter((e) => /localhost:\d+\/bench-/.test(e.args?.data?.url ?? '')).map((e) => e.pid));
  for (const e of all) if (String(e.args?.data?.url ?? '').startsWith(hubUrl)) ours.add(e.pid);
  const events = all.filter((e) => ours.has(e.pid));
  const nav = events.find((e) => e.name === 'ResourceSendRequest' && /\/bench-/.test(e.args?.data?.url ?? ''));
  const t0 = nav.ts;
  const rows = [];
  const at = (e, what) => rows.push([(e.ts - t0) / 1000, e.dur ? e.dur / 1000 : 0, what, e.tid]);
  const byId = new Map();
  for (const e of events) {
    const d = e.args?.data ?? {};
    const short = (u) => String(u).replace(hubUrl, 'hub').replace(/http:\/\/localhost:\d+/, 'site').replace(/\?.*/, '');
    if (e.name === 'ResourceSendRequest') byId.set(d.requestId, short(d.url)), at(e, `send ${short(d.url)}`);
    else if (e.name === 'ResourceReceiveResponse') at(e, `response ${byId.get(d.requestId)}`);
    else if (e.name === 'ResourceFinish') at(e, `finish ${byId.get(d.requestId)} ${d.encodedDataLength ?? ''} B`);
    else if (e.name === 'EvaluateScript') at(e, `evaluate ${short(d.url)}`);
    else if (e.name === 'v8.compile' || e.name === 'v8.parseOnBackground') at(e, `${e.name} ${short(d.url ?? e.args?.fileName ?? '')}`);
    else if (e.name === 'FunctionCall' && e.dur > 200) at(e, `call ${d.functionName} ${short(d.url)}:${d.lineNumber}`);
    else if (e.name === 'EventDispatch' && /message|load|DOMContentLoaded/.test(d.type)) at(e, `event ${d.type}`);
    else if (e.name === 'FireAnimationFrame') at(e, 'rAF callback');
    else if (e.name === 'TimerFire') at(e, `timer ${d.timerId}`);
    else if (e.name === 'TimerInstall') at(e, `timer install ${d.timerId} ${d.timeout} ms`);
    else if (e.name === 'RequestAnimationFrame') at(e, 'rAF requested');
    else if (e.name === 'Paint') at(e, `paint frame ${String(d.frame).slice(0, 6)}`);
    else if (e.name === 'ParseHTML' && e.dur > 300) at(e, `parse HTML ${short(d.beginData?.url ?? '')}`);
    else if (e.name === 'UpdateLayoutTree' && e.dur > 500) at(e, 'style');
    else if (e.name === 'Layout' && e.dur > 500) at(e, 'layout');
    else if (e.name === 'kataven-ready' || e.name === 'MarkLoad' || e.name === 'MarkDOMContent' || e.name === 'firstPaint' || e.name === 'firstContentfulPaint') at(e, `mark ${e.name} ${String(e.args?.frame ?? '').slice(0, 6)}`);
  }
  rows.sort((a, b) => a[0] - b[0]);
  if (process.env.NESTED) {
    // What runs inside the loader's evaluation (its top level: mounting the iframe, the handshake's fetch).
    const ev = events.find((e) => e.name === 'EvaluateScript' && /loader\.js/.test(e.args?.data?.url ?? ''));
    const inside = events.filter((e) => e.tid === ev.tid && e.ph === 'X' && e.ts >= ev.ts && e.ts + (e.dur ?? 0) <= ev.ts + ev.dur && e.dur > 300);
    for (const e of inside.sort((a, b) => a.ts - b.ts)) console.log(`  ${((e.ts - t0) / 1000).toFixed(1).padStart(7)} +${(e.dur / 1000).toFixed(1).padStart(5)}  ${e.name} ${e.args?.data?.url ?? e.args?.data?.functionName ?? ''}`);
  }
  if (!process.env.SUMMARY) {
    console.log('---- view');
    for (const [t, dur, what, tid] of rows) console.log(`${t.toFixed(1).padStart(7)} ${dur ? ('+' + dur.toFixed(1)).padStart(6) : '      '}  ${what}  [${tid}]`);
  }
  // One line per view: when the last answer the widget needs had arrived (the frame document, or the
  // floor's iframe document, and the handshake), when the page heard `ready`, and the time between:
  // the work after the network, which no round trip explains.
  const last = (re) => Math.max(...rows.filter((r) => re.test(r[2])).map((r) => r[0]));
  const answers = process.env.FLOOR ? last(/^finish hub\/widget\/v1\/assets\//) : Math.max(last(/^finish hub\/widget\/v1\/frame/), last(/^finish hub\/api\/v1\/widget\/handshake/));
  const ready = last(/^mark kataven-ready/);
  console.log(`summary: answers in at ${answers.toFixed(0)} ms, ready at ${ready.toFixed(0)} ms: ${(ready - answers).toFixed(0)} ms after the network`);
}

/**
 * Self and total samples of the top functions in the page's renderer: the loader's, the frame's too with
 * site isolation off (minified names; a frame built without `minify` reads better). Samples, not
 * milliseconds: a sample's time delta is the wall time since the one before, and on a busy machine the
 * sampler misses 10–70 ms at a time, so summed deltas overstate whatever ran after a gap (the bench's
 * figures share out thread time instead: lib/trace.mjs, loaderCpu).
 */
function profileReport(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\//, '').replace(/\?.*/, '')}:${n.callFrame.lineNumber + 1}`;
  const selfBy = new Map();
  const totalBy = new Map();
  for (const [id, count] of self) {
    const n = byId.get(id);
    selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + count);
    const seen = new Set();
    for (let up = id; up !== undefined; up = parent.get(up)) {
      const k = key(byId.get(up));
      if (seen.has(k)) continue;
      seen.add(k);
      totalBy.set(k, (totalBy.get(k) ?? 0) + count);
    }
  }
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, count]) => `${String(count).padStart(7)}  ${k}`).join('\n');
  console.log(`---- self (samples of ${profile.samples.length})\n` + top(selfBy) + '\n---- total\n' + top(totalBy));
}
