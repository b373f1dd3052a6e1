/**
 * What each DOM step of the loader's mount costs on a first view (docs/performance.md, "Where the
 * loader's own JavaScript goes"), after `node build.mjs`: an inline script doing the loader's steps in
 * its order, a performance mark after each, read from a Chrome trace (µs, wall time; medians over
 * fresh browser contexts). A second page first touches `document.head`, as a page's own scripts
 * usually have before a widget's loader runs.
 *
 *   node bench/dom-steps.mjs [views, 20]
 *
 * Why: the V8 profiler gives Blink's attribute getters and setters no frames of their own, so the time
 * the browser spends inside them (making the first wrapper of each DOM interface, parsing a sandbox
 * value) shows as self time of the loader function that read or wrote the attribute. Marks between
 * the steps show which step costs what. For reading, not for figures: marks have their own cost, and
 * the steps run in <head> at parse time, not where the async loader runs.
 */
import { chromium } from 'playwright-core';
import { hubWithSiteKey } from './browser.mjs';
import { ARGS, chromiumPath } from './lib/chromium.mjs';
import { onCleanup, runCleanups, snapshotDist } from './lib/proc.mjs';
import { startSite } from './lib/site.mjs';
import { median } from './lib/stats.mjs';

const views = Number(process.argv[2] ?? 20);

/** The mount path of src/loader/boot.ts, one step per statement that reaches into the browser. */
const STEPS = [
  ['document', 'var d = document'],
  ['currentScript', 'var s = d.currentScript'],
  ['documentElement', 'var root = d.documentElement'],
  ['dataset', 'var key = s.dataset.clientKey'],
  ['new MessageChannel', 'var c = new MessageChannel()'],
  // The loader parses its own src; an inline script has none, so the loader's URL stands in.
  ['new URL(…).origin', "var hub = new URL('{{HUB}}/widget/v1/loader.js').origin"],
  ["createElement('iframe')", "var f = d.createElement('iframe')"],
  ['sandbox', "f.sandbox = 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox'"],
  ['allow, src', "f.allow = 'clipboard-write'; f.src = '{{HUB}}/widget/v1/frame?k={{KEY}}&o=' + location.origin"],
  ['onload', 'f.onload = function () {}'],
  ['style, first setProperty', "f.style.setProperty('position', 'fixed', 'important')"],
  ['13 more setProperty', "for (var n of ['inset', 'max-height', 'max-width', 'min-height', 'margin', 'border', 'color-scheme', 'z-index', 'visibility', 'width', 'height', 'bottom', 'right']) f.style.setProperty(n, '0', 'important')"],
  ['visualViewport, listener', "visualViewport.addEventListener('resize', function () {})"],
  ['ResizeObserver', 'new ResizeObserver(function () {}).observe(f)'],
  ['appendChild', 'root.appendChild(f)'],
  ['fetch', "fetch('{{HUB}}/healthz', { method: 'POST', body: '{}' })"],
];
const HEAD_FIRST = [['document.head (first element)', 'document.head'], ...STEPS];

// Two marks first: the first mark pays for making the Performance API's own wrappers.
const page = (steps) =>
  `<!doctype html><html><head><script>performance.mark('warm'); performance.mark('start');
${steps.map(([name, code], i) => `${code}; performance.mark(${JSON.stringify(`step ${i}: ${name}`)});`).join('\n')}
</script></head><body><p>steps</p></body></html>`;

try {
  await snapshotDist();
  const { hub, port, widgetKey } = await hubWithSiteKey();
  const variants = { 'loader order': STEPS, 'document.head first': HEAD_FIRST };
  const paths = { 'loader order': '/dom-steps.html', 'document.head first': '/dom-steps-head.html' };
  const site = await startSite({ hubUrl: hub.url, clientKey: widgetKey.key, port, extraPages: { [paths['loader order']]: page(STEPS), [paths['document.head first']]: page(HEAD_FIRST) } });
  onCleanup(() => site.close());
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ARGS });
  onCleanup(() => browser.close());
  const us = Object.fromEntries(Object.keys(variants).map((v) => [v, new Map()]));
  for (let i = 0; i < views; i++) {
    for (const variant of Object.keys(variants)) {
      const context = await browser.newContext();
      try {
        const tab = await context.newPage();
        await browser.startTracing(tab, { categories: ['blink.user_timing'] });
        await tab.goto(site.url + paths[variant], { waitUntil: 'load' });
        const events = JSON.parse((await browser.stopTracing()).toString('utf8')).traceEvents;
        const marks = events.filter((e) => e.cat === 'blink.user_timing' && /^(start|step \d+: )/.test(e.name)).sort((a, b) => a.ts - b.ts);
        if (marks.length !== variants[variant].length + 1) throw new Error(`${variant}: ${marks.length - 1} of ${variants[variant].length} steps ran`);
        for (let j = 1; j < marks.length; j++) {
          const name = marks[j].name.replace(/^step \d+: /, '');
          us[variant].set(name, [...(us[variant].get(name) ?? []), marks[j].ts - marks[j - 1].ts]);
        }
      } finally {
        await context.close();
      }
    }
  }
  for (const [variant, steps] of Object.entries(us)) {
    console.log(`${variant} (median µs of ${views} first views):`);
    for (const [name, list] of steps) console.log(`  ${String(Math.round(median(list))).padStart(6)}  ${name}`);
  }
} finally {
  await runCleanups();
}
