import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../helpers/widget.js';
import { startWorld, watchedPage, type World } from './harness.js';

/**
 * Every way the widget can fail must leave the customer's page untouched: no error, no iframe, one
 * warning. The hub serves the loader built with short timeouts, so the two tests that wait one out take
 * seconds (the shipped values and their messages are the loader suite's claims).
 */
describe('failures leave the page alone', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('short-timeouts');
  }, 60_000);
  afterAll(() => world?.close());

  const pageWithKey = (key: string, extraHead = '') =>
    `<!doctype html><html><head>${extraHead}</head><body><p>customer page</p>` +
    `<script src="${world.hub.url}/widget/v1/loader.js" data-client-key="${key}" async></script></body></html>`;

  async function expectQuietFailure(page: Page, warnings: string[], pageErrors: string[], mention: RegExp, timeout = 10_000) {
    await expect.poll(() => warnings.length, { timeout }).toBeGreaterThan(0);
    await page.waitForTimeout(300);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(mention);
    expect(pageErrors).toEqual([]);
    expect(await page.locator('iframe').count()).toBe(0);
    expect(await page.locator('p').textContent()).toBe('customer page');
  }

  let cases = 0;
  async function open(html: string, setup?: (page: Page) => Promise<unknown>) {
    const w = await watchedPage(world.browser);
    if (setup) await setup(w.page);
    const path = `/case-${++cases}.html`;
    world.pages.set(path, html);
    await w.page.goto(world.allowed.url + path);
    return w;
  }

  it('stays quiet with a malformed key', async () => {
    const w = await open(pageWithKey('pk_live_typo'));
    await expectQuietFailure(w.page, w.warnings, w.pageErrors, /key_malformed/);
    await w.page.context().close();
  });

  it('stays quiet with a deleted key', async () => {
    const k = await createKey(world.hub, []);
    await world.hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'DELETE' });
    const w = await open(pageWithKey(k.key));
    await expectQuietFailure(w.page, w.warnings, w.pageErrors, /key_not_found/);
    await w.page.context().close();
  });

  it('stays quiet with a disabled key', async () => {
    const k = await createKey(world.hub, [new URL(world.allowed.url).host]);
    await world.hub.api(`/api/v1/widget-keys/${k.id}`, { method: 'PATCH', body: { disabled: true } });
    const w = await open(pageWithKey(k.key));
    await expectQuietFailure(w.page, w.warnings, w.pageErrors, /key_disabled/);
    await w.page.context().close();
  });

  it('stays quiet when rate limited', async () => {
    const w = await open(pageWithKey(world.key.key), (page) =>
      page.route(`${world.hub.url}/api/v1/widget/handshake`, (route) =>
        route.fulfill({ status: 429, headers: { 'access-control-allow-origin': world.allowed.url, 'retry-after': '30' }, contentType: 'application/json', body: JSON.stringify({ error: { type: 'rate_limited', message: 'Too many widget handshakes' } }) }),
      ),
    );
    await expectQuietFailure(w.page, w.warnings, w.pageErrors, /rate_limited/);
    await w.page.context().close();
  });

  it('stays quiet when the hub is down', async () => {
    const w = await open(pageWithKey(world.key.key), (page) => page.route(`${world.hub.url}/api/v1/widget/handshake`, (route) => route.abort('connectionrefused')));
    await expectQuietFailure(w.page, w.warnings, w.pageErrors, /could not reach/i);
    await w.page.context().close();
  });

  it('stays quiet on a 5xx', async () => {
    const w = await open(pageWithKey(world.key.key), (page) =>
      page.route(`${world.hub.url}/api/v1/widget/handshake`, (route) => route.fulfill({ status: 503, headers: { 'access-control-allow-origin': world.allowed.url }, contentType: 'text/html', body: '<h1>Bad gateway</h1>' })),
    );
    await expectQuietFailure(w.page, w.warnings, w.pageErrors, /503/);
    await w.page.context().close();
  });

  it('stays quiet on malformed JSON', async () => {
    const w = await open(pageWithKey(world.key.key), (page) =>
      page.route(`${world.hub.url}/api/v1/widget/handshake`, (route) => route.fulfill({ status: 200, headers: { 'access-control-allow-origin': world.allowed.url }, contentType: 'application/json', body: '{"session_token": ' })),
    );
    await expectQuietFailure(w.page, w.warnings, w.pageErrors, /unreadable|malformed|invalid/i);
    await w.page.context().close();
  });

  it('stays quiet when the handshake times out', async () => {
    const w = await open(pageWithKey(world.key.key), (page) => page.route(`${world.hub.url}/api/v1/widget/handshake`, () => {}));
    await expectQuietFailure(w.page, w.warnings, w.pageErrors, /did not answer|timed out|timeout/i, 20_000);
    await w.page.context().close();
  }, 30_000);

  it("removes the iframe when the page's CSP blocks the frame", async () => {
    const csp = `<meta http-equiv="Content-Security-Policy" content="frame-src 'none'">`;
    const w = await open(pageWithKey(world.key.key, csp));
    await expectQuietFailure(w.page, w.warnings, w.pageErrors, /frame-src/, 25_000);
    await w.page.context().close();
  }, 40_000);

  it('ignores look-alike messages from a foreign window', async () => {
    const w = await watchedPage(world.browser);
    await w.page.goto(world.allowed.url + '/');
    await w.page.locator('iframe').waitFor({ state: 'visible', timeout: 15_000 });
    const before = await w.page.locator('iframe').boundingBox();
    await w.page.evaluate(() => {
      // A hostile script on the page pretends to be the frame.
      window.postMessage({ v: 1, type: 'state', open: true }, '*');
      window.postMessage({ v: 1, type: 'hello' }, '*');
      window.postMessage({ v: 1, type: 'ready' }, '*');
    });
    await w.page.waitForTimeout(300);
    expect(await w.page.locator('iframe').boundingBox()).toEqual(before);
    expect(await w.page.locator('iframe').count()).toBe(1);
    expect(w.pageErrors).toEqual([]);
    await w.page.context().close();
  });
});
