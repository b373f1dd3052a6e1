/**
 * What each DOM step of the loader's mount costs on a first view: an inline script doing the loader's
 * steps in its order, a performance mark after each, read from a Chrome trace (µs of the main thread's
 * CPU time between marks, each mark's `tts`, and of wall time; medians over fresh browser contexts). A second page first touches `document.head`, as a page's own scripts
 * usually have before a widget's loader runs.
 *
 * Why: the V8 profiler gives Blink's attribute getters and setters (and DOM constructors) no frames of
 * their own, so the time the browser spends inside them (making the first wrapper of each DOM interface,
 * parsing a sandbox value) shows as self time of the loader function that made the call. The steps the
 * profile counts that way, summed, are the browser's share of the loader's "own JavaScript"
 * (docs/performance.md, "Where the loader's own JavaScript goes"). Marks cost a little themselves, and
 * the steps run in <head> at parse time rather than where the async loader runs.
 */
import { median } from './stats.mjs';

/**
 * The mount path of src/loader/boot.ts, one step per statement that reaches into the browser. `native`:
 * a method call, which the profile shows as a frame of its own ("browser APIs it calls").
 */
export const STEPS = [
  { name: 'document', code: 'var d = document' },
  { name: 'currentScript', code: 'var s = d.currentScript' },
  { name: 'documentElement', code: 'var root = d.documentElement' },
  { name: 'dataset', code: 'var key = s.dataset.clientKey' },
  { name: 'new MessageChannel', code: 'var c = new MessageChannel()' },
  // The loader parses its own src; an inline script has none, so the loader's URL stands in.
  { name: 'new URL(…).origin', code: "var hub = new URL('{{HUB}}/widget/v1/loader.js').origin" },
  { name: "createElement('iframe')", code: "var f = d.createElement('iframe')", native: true },
  { name: 'sandbox', code: "f.sandbox = 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox'" },
  { name: 'allow, src', code: "f.allow = 'clipboard-write'; f.src = '{{HUB}}/widget/v1/frame?k={{KEY}}&o=' + location.origin" },
  { name: 'onload', code: 'f.onload = function () {}' },
  { name: 'style, first setProperty', code: "f.style.setProperty('position', 'fixed', 'important')" },
  { name: '13 more setProperty', code: "for (var n of ['inset', 'max-height', 'max-width', 'min-height', 'margin', 'border', 'color-scheme', 'z-index', 'visibility', 'width', 'height', 'bottom', 'right']) f.style.setProperty(n, '0', 'important')" },
  { name: 'visualViewport, listener', code: "visualViewport.addEventListener('resize', function () {})" },
  { name: 'ResizeObserver', code: 'new ResizeObserver(function () {}).observe(f)' },
  { name: 'appendChild', code: 'root.appendChild(f)', native: true },
  { name: 'fetch', code: "fetch('{{HUB}}/healthz', { method: 'POST', body: '{}' })", native: true },
];
const HEAD_FIRST = [{ name: 'document.head (first element)', code: 'document.head', before: true }, ...STEPS];
const VARIANTS = { bare: { path: '/dom-steps.html', steps: STEPS }, touched: { path: '/dom-steps-head.html', steps: HEAD_FIRST } };

// Two marks first: the first mark pays for making the Performance API's own wrappers.
const page = (steps) =>
  `<!doctype html><html><head><script>performance.mark('warm'); performance.mark('start');
${steps.map(({ name, code }, i) => `${code}; performance.mark(${JSON.stringify(`step ${i}: ${name}`)});`).join('\n')}
</script></head><body><p>steps</p></body></html>`;

/** The two pages, for bench/lib/site.mjs's `extraPages` (it fills in {{HUB}} and {{KEY}}). */
export const stepPages = () => Object.fromEntries(Object.values(VARIANTS).map(({ path, steps }) => [path, page(steps)]));

/**
 * `views` first views of each page (alternated, each in a fresh context) on the site serving
 * stepPages(): summarizeSteps() for `bare` (the loader order) and `touched` (an element touched first).
 */
export async function measureSteps(browser, siteUrl, views) {
  const us = { bare: new Map(), touched: new Map() };
  for (let i = 0; i < views; i++) {
    for (const [variant, { path, steps }] of Object.entries(VARIANTS)) {
      const context = await browser.newContext();
      try {
        const tab = await context.newPage();
        await browser.startTracing(tab, { categories: ['blink.user_timing'] });
        await tab.goto(siteUrl + path, { waitUntil: 'load' });
        const events = JSON.parse((await browser.stopTracing()).toString('utf8')).traceEvents;
        const marks = events.filter((e) => e.cat === 'blink.user_timing' && /^(start|step \d+: )/.test(e.name)).sort((a, b) => a.ts - b.ts);
        if (marks.length !== steps.length + 1) throw new Error(`${path}: ${marks.length - 1} of ${steps.length} steps ran`);
        if (marks.some((m) => typeof m.tts !== 'number')) throw new Error(`${path}: this Chromium's marks carry no thread time (tts)`);
        steps.forEach((step, j) => us[variant].set(step, [...(us[variant].get(step) ?? []), { cpu: marks[j + 1].tts - marks[j].tts, wall: marks[j + 1].ts - marks[j].ts }]));
      } finally {
        await context.close();
      }
    }
  }
  return Object.fromEntries(Object.entries(us).map(([variant, timings]) => [variant, summarizeSteps(timings)]));
}

/**
 * Each step's median CPU (`us`) and wall time (`wallUs`), and `ownUs`: the sum of the CPU medians of the
 * steps the profile counts as the loader's own (not a `native` call, not the page's own step `before`
 * the loader's). CPU, as the profile's figure is: a step the thread was descheduled in costs no more.
 */
export function summarizeSteps(timings) {
  const steps = [...timings].map(([step, list]) => ({
    name: step.name,
    native: !!step.native,
    before: !!step.before,
    us: median(list.map((t) => t.cpu)),
    wallUs: median(list.map((t) => t.wall)),
  }));
  return { steps, ownUs: steps.filter((s) => !s.native && !s.before).reduce((sum, s) => sum + s.us, 0) };
}
