/**
 * The e2e world: a real hub (temp SQLite), the demo customer site on two origins, and Chromium.
 * `allowed` is http://localhost:<port> (pinned in the key's allowlist); `refused` is http://127.0.0.1:<port>.
 */
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startDemoSite, type DemoSite } from '../../src/demo/sites.js';
import { loadBuiltAssets } from '../../src/hub/widget/dist.js';
import type { HubConfig } from '../../src/hub/config.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey } from '../helpers/widget.js';
import { launchChromium } from './browser.js';

export interface World {
  hub: TestHub;
  browser: Browser;
  key: { id: string; key: string; key_last8: string };
  allowed: DemoSite;
  refused: DemoSite;
  /** Pages served by both demo sites besides examples/site: test/e2e/pages/* as /fixtures/*; tests add more. */
  pages: Map<string, string>;
  close(): Promise<void>;
}

/**
 * The loader the world's hub serves at /widget/v1/loader.js. `short-timeouts` is dist/test/loader.js
 * (build.mjs): the shipped code with short handshake and frame timeouts, for the tests that wait them out.
 */
export type WorldLoader = 'shipped' | 'short-timeouts';

/** `settings`: over the test hub's (for a suite that starts more conversations than the per-address limit lets in a minute). */
export async function startWorld(loader: WorldLoader = 'shipped', settings: Partial<HubConfig> = {}): Promise<World> {
  // Served by the real site servers, not by page.route(): Chromium's Local Network Access check refuses
  // loopback subresources to a page whose response did not come from a loopback server.
  const pages = new Map<string, string>();
  const dir = new URL('./pages/', import.meta.url);
  for (const name of readdirSync(dir)) pages.set(`/fixtures/${name}`, readFileSync(new URL(name, dir), 'utf8'));
  const hub = await startTestHub('sqlite', settings);
  if (loader === 'short-timeouts') {
    const testBuild = loadBuiltAssets(fileURLToPath(new URL('../../dist/test', import.meta.url)));
    if (!hub.ctx.assets || !testBuild) throw new Error('dist/ or dist/test/ is not built: run `node build.mjs`');
    // The widget routes read the loader from this object on every request.
    hub.ctx.assets.loader = testBuild.loader;
  }
  // Reserve the allowed site's port first, so the key can pin it exactly like the demo key pins 3000.
  const probe = await startDemoSite({ hubUrl: hub.url, clientKey: 'pending', host: 'localhost', port: 0 });
  const port = new URL(probe.url).port;
  await probe.close();
  const key = await createKey(hub, [`localhost:${port}`]);
  const allowed = await startDemoSite({ hubUrl: hub.url, clientKey: key.key, host: 'localhost', port: Number(port), extraPages: pages });
  const refused = await startDemoSite({ hubUrl: hub.url, clientKey: key.key, host: '127.0.0.1', port: 0, extraPages: pages });
  const browser = await launchChromium();
  return {
    hub, browser, key, allowed, refused, pages,
    async close() {
      await browser.close();
      await Promise.all([allowed.close(), refused.close()]);
      await hub.close();
    },
  };
}

export interface Watched {
  page: Page;
  warnings: string[];
  pageErrors: string[];
  requests: string[];
}

/** A page whose console warnings, uncaught errors (incl. unhandled rejections) and requests are recorded. */
export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<Watched> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const w: Watched = { page, warnings: [], pageErrors: [], requests: [] };
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'warning' && m.text().startsWith('[kataven]')) w.warnings.push(m.text());
  });
  page.on('pageerror', (e) => w.pageErrors.push(String(e)));
  page.on('request', (r) => w.requests.push(`${r.method()} ${r.url()}`));
  return w;
}

/** The widget's iframe element handle and its frame, once the frame says ready (iframe visible). */
export async function widgetFrame(page: Page, hubUrl: string) {
  const iframe = page.locator(`iframe[src^="${hubUrl}/widget/v1/frame"]`);
  await iframe.waitFor({ state: 'visible', timeout: 15_000 });
  return { iframe, frame: page.frameLocator(`iframe[src^="${hubUrl}/widget/v1/frame"]`) };
}

/**
 * Opens `url` (on the allowed site) and checks that the widget works there: the launcher opens the panel,
 * with no CSP violation, no `[kataven]` warning and no page error. For the strict-CSP pages.
 */
export async function expectWidgetWithoutViolation(world: World, url: string): Promise<void> {
  const { page, warnings, pageErrors } = await watchedPage(world.browser);
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
  });
  await page.goto(url);
  const { frame } = await widgetFrame(page, world.hub.url);
  await frame.getByRole('button', { name: /open chat/i }).click();
  await frame.getByRole('textbox').waitFor();
  expect(violations).toEqual([]);
  expect(warnings).toEqual([]);
  expect(pageErrors).toEqual([]);
  await page.context().close();
}
