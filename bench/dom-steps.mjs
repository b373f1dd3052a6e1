/**
 * What each DOM step of the loader's mount costs on a first view (lib/dom-steps.mjs says how and why;
 * docs/performance.md, "Where the loader's own JavaScript goes"), after `node build.mjs`:
 *
 *   node bench/dom-steps.mjs [views, 20]
 *
 * `npm run bench` reports the sums; this prints every step.
 */
import { chromium } from 'playwright-core';
import { hubWithSiteKey } from './browser.mjs';
import { ARGS, chromiumPath } from './lib/chromium.mjs';
import { measureSteps, stepPages } from './lib/dom-steps.mjs';
import { onCleanup, runCleanups, snapshotDist } from './lib/proc.mjs';
import { startSite } from './lib/site.mjs';

const views = Number(process.argv[2] ?? 20);
const TITLES = { bare: 'loader order', touched: 'document.head first' };

try {
  await snapshotDist();
  const { hub, port, widgetKey } = await hubWithSiteKey();
  const site = await startSite({ hubUrl: hub.url, clientKey: widgetKey.key, port, extraPages: stepPages() });
  onCleanup(() => site.close());
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ARGS });
  onCleanup(() => browser.close());
  for (const [variant, { steps, ownUs }] of Object.entries(await measureSteps(browser, site.url, views))) {
    console.log(`${TITLES[variant]} (median µs of ${views} first views: CPU, wall):`);
    for (const s of steps) console.log(`  ${String(Math.round(s.us)).padStart(6)} ${String(Math.round(s.wallUs)).padStart(6)}  ${s.name}${s.native ? ' (native call)' : ''}`);
    console.log(`  ${String(Math.round(ownUs)).padStart(6)}         CPU of the steps the profile counts as the loader's own, summed`);
  }
} finally {
  await runCleanups();
}
