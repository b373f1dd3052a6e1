/**
 * Host pages built the way real sites are (test/e2e/pages/): each ends with a working widget or with the
 * one `[kataven]` warning, and none produces a page error.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER_BOX, LAUNCHER_INSET, PANEL_HEIGHT, PANEL_WIDTH } from '../../src/protocol/geometry.js';
import { startWorld, watchedPage, widgetFrame, type Watched, type World } from './harness.js';

describe('the widget on hostile host pages', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  }, 60_000);
  afterAll(() => world?.close());

  const visit = async (name: string, viewport?: { width: number; height: number }) => {
    const w = await watchedPage(world.browser, viewport);
    await w.page.goto(`${world.allowed.url}/fixtures/${name}`);
    return { ...w, ...(await widgetFrame(w.page, world.hub.url)) };
  };
  /** Opens the panel as a visitor does and waits until the loader has grown the iframe. */
  const openPanel = async (w: Awaited<ReturnType<typeof visit>>) => {
    await w.frame.getByRole('button', { name: /open chat/i }).click();
    await w.frame.getByRole('textbox').waitFor();
    await expect.poll(async () => (await w.iframe.boundingBox())!.width).toBeGreaterThan(LAUNCHER_BOX);
  };
  const clean = (w: Watched) => {
    expect(w.pageErrors).toEqual([]);
    expect(w.warnings).toEqual([]);
  };
  const scrollY = (page: Page) => page.evaluate(() => window.scrollY);
  /** Adds the widget's tag again, with the key of the one already on the page, as a single-page app does. */
  const addTag = (page: Page) =>
    page.evaluate((src) => {
      const s = document.createElement('script');
      s.src = src;
      s.dataset.clientKey = document.querySelector<HTMLScriptElement>('script[data-client-key]')!.dataset.clientKey!;
      document.body.appendChild(s);
    }, `${world.hub.url}/widget/v1/loader.js`);
  /** The tag added again gives exactly one widget, and it opens; then the page is checked and closed. */
  const addTagAgainMountsOneWorkingWidget = async (w: Awaited<ReturnType<typeof visit>>) => {
    await addTag(w.page);
    const again = await widgetFrame(w.page, world.hub.url);
    await again.frame.getByRole('button', { name: /open chat/i }).click();
    await again.frame.getByRole('textbox').waitFor();
    expect(await w.page.locator('iframe').count()).toBe(1);
    clean(w);
    await w.page.context().close();
  };

  /** How many `type` listeners the page's `target` (window, visualViewport) has (DevTools' getEventListeners). */
  const listeners = async (page: Page, target: string, type: string) => {
    const cdp = await page.context().newCDPSession(page);
    const { result } = await cdp.send('Runtime.evaluate', { expression: target });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
    return listeners.filter((l) => l.type == type).length;
  };

  it('keeps its size, border and corner under `iframe { … !important }` resets', async () => {
    const w = await visit('important-reset.html');
    const box = (await w.iframe.boundingBox())!;
    expect(box).toEqual({ x: 1280 - LAUNCHER_INSET - LAUNCHER_BOX, y: 800 - LAUNCHER_INSET - LAUNCHER_BOX, width: LAUNCHER_BOX, height: LAUNCHER_BOX });
    expect(await w.iframe.evaluate((f) => getComputedStyle(f).borderTopWidth)).toBe('0px');
    await openPanel(w);
    expect(await w.iframe.boundingBox()).toEqual({ x: 1280 - PANEL_WIDTH, y: 800 - PANEL_HEIGHT, width: PANEL_WIDTH, height: PANEL_HEIGHT });
    clean(w);
    await w.page.context().close();
  });

  it('stays fixed to the viewport when the body is transformed, filtered and contained', async () => {
    const w = await visit('transformed-body.html');
    expect((await w.iframe.boundingBox())!.y).toBe(800 - LAUNCHER_INSET - LAUNCHER_BOX);
    await openPanel(w);
    await w.page.evaluate(() => window.scrollTo(0, 1500));
    await expect.poll(() => scrollY(w.page)).toBe(1500);
    expect((await w.iframe.boundingBox())!.y).toBe(800 - PANEL_HEIGHT);
    clean(w);
    await w.page.context().close();
  });

  it('shows the whole full-screen panel, header and composer, above an on-screen keyboard', async () => {
    const w = await visit('long.html', { width: 375, height: 667 });
    await openPanel(w);
    // The geometry of a keyboard over the lower half (iOS Safari, Chrome's default `resizes-visual`):
    // the visual viewport shrinks to 333.5 px, the layout viewport (`innerHeight`) stays 667.
    const cdp = await w.page.context().newCDPSession(w.page);
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 2 });
    /** The iframe's top and bottom and the visual viewport's, in the layout viewport. */
    const spans = () =>
      w.page.evaluate(() => {
        const r = document.querySelector('iframe')!.getBoundingClientRect();
        const v = visualViewport!;
        return { frame: [r.top, r.bottom], visible: [v.offsetTop, v.offsetTop + v.height], layout: innerHeight };
      });
    await expect.poll(async () => (await spans()).frame).toEqual([333.5, 667]);
    // The browser pans the visual viewport to the focused composer (scrollIntoView does what its
    // keyboard does), and the whole panel is in view: the header above the composer too.
    await w.frame.getByRole('textbox').focus();
    await w.frame.getByRole('textbox').evaluate((e) => e.scrollIntoView());
    const s = await spans();
    expect(s.layout).toBe(667);
    expect(s.frame).toEqual(s.visible);
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 1 });
    await expect.poll(async () => (await spans()).frame).toEqual([0, 667]);
    clean(w);
    await w.page.context().close();
  });

  it('does not scroll the page behind the full-screen panel, by wheel or touch', async () => {
    const w = await visit('long.html', { width: 375, height: 667 });
    await w.page.evaluate(() => window.scrollTo(0, 300));
    await openPanel(w);
    expect(await w.iframe.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    await w.page.mouse.move(180, 300);
    await w.page.mouse.wheel(0, 800);
    const cdp = await w.page.context().newCDPSession(w.page);
    await cdp.send('Input.synthesizeScrollGesture', { x: 180, y: 300, yDistance: -500, gestureSourceType: 'touch' });
    await w.page.waitForTimeout(300);
    expect(await scrollY(w.page)).toBe(300);
    await w.frame.getByRole('button', { name: /close chat/i }).click();
    await expect.poll(async () => (await w.iframe.boundingBox())!.width).toBe(LAUNCHER_BOX);
    expect(await scrollY(w.page)).toBe(300);
    clean(w);
    await w.page.context().close();
  });

  it('keeps keyboard focus inside the full-screen panel', async () => {
    const w = await visit('long.html', { width: 375, height: 667 });
    await openPanel(w);
    const inPage = () => w.page.evaluate(() => document.activeElement?.tagName ?? 'none');
    for (let i = 0; i < 8; i++) {
      await w.page.keyboard.press(i % 3 == 2 ? 'Shift+Tab' : 'Tab');
      // The host page's focus is the widget's iframe throughout: never a host link or field under it.
      expect(await inPage()).toBe('IFRAME');
    }
    clean(w);
    await w.page.context().close();
  });

  it('makes the host page inert under the full-screen panel, so focus coming back from the browser skips it', async () => {
    const w = await visit('long.html', { width: 375, height: 667 });
    const focusHostLink = () => w.page.evaluate(() => (document.getElementById('top')!.focus(), document.activeElement?.id));
    await openPanel(w);
    // As if the visitor went to the address bar and tabbed back into the page.
    await w.page.evaluate(() => (document.activeElement as HTMLElement).blur());
    await w.page.keyboard.press('Tab');
    // Focus moving into the frame's process lands asynchronously; a host link would be focused at once.
    await expect.poll(() => w.page.evaluate(() => document.activeElement?.tagName)).toBe('IFRAME');
    // Not even the page's own script can put focus under the panel.
    expect(await focusHostLink()).not.toBe('top');
    expect(await w.page.evaluate(() => document.body.inert)).toBe(true);
    await w.frame.getByRole('button', { name: /close chat/i }).click();
    await expect.poll(() => w.page.evaluate(() => document.body.inert)).toBe(false);
    expect(await focusHostLink()).toBe('top');
    clean(w);
    await w.page.context().close();
  });

  it('cleans up after a page that removes its iframe, and the tag added again mounts a fresh widget', async () => {
    const w = await visit('removes-frame.html', { width: 375, height: 667 });
    await openPanel(w);
    await w.page.evaluate(() => (window as any).rerender());
    // The full-screen panel's inert host body is live again, and nothing of the widget listens.
    await expect.poll(() => w.page.evaluate(() => document.body.inert)).toBe(false);
    expect(await listeners(w.page, 'visualViewport', 'resize')).toBe(0);
    await w.page.mouse.move(180, 300);
    await w.page.mouse.wheel(0, 400);
    await expect.poll(() => scrollY(w.page)).toBeGreaterThan(0);
    await addTagAgainMountsOneWorkingWidget(w);
  });

  it('never opens full screen by itself: data-open on a phone shows the launcher and leaves focus alone', async () => {
    const w = await visit('auto-open.html', { width: 375, height: 667 });
    await w.page.waitForTimeout(300);
    expect((await w.iframe.boundingBox())!.width).toBe(LAUNCHER_BOX);
    expect(await w.page.evaluate(() => document.activeElement?.id)).toBe('field');
    clean(w);
    await w.page.context().close();
  });

  it('leaves the host content around the launcher clickable', async () => {
    const w = await visit('corner.html');
    // Inside the old 88 × 88 box, outside the button and its margin.
    await w.page.mouse.click(1280 - 3, 800 - 3);
    await expect.poll(() => w.page.title()).toBe('corner clicked');
    await w.page.evaluate(() => (document.title = ''));
    await w.page.mouse.click(1280 - 84, 800 - 40);
    await expect.poll(() => w.page.title()).toBe('corner clicked');
    clean(w);
    await w.page.context().close();
  });

  for (const [name, page] of [
    ['`* { all: unset }`', 'all-unset.html'],
    ['`<base href>` pointing elsewhere', 'base-href.html'],
    ['Array.prototype.forEach, JSON.stringify, Object.assign, Function.prototype.apply and fetch replaced', 'hostile-globals.html'],
    ['10,000 elements', 'many-elements.html'],
  ] as const) {
    it(`works on a page with ${name}`, async () => {
      const w = await visit(page);
      await openPanel(w);
      const box = w.frame.getByRole('textbox');
      await box.fill('Hello from a hostile page');
      await box.press('Enter');
      await expect.poll(() => w.frame.getByRole('log').textContent(), { timeout: 10_000 }).toContain('You said: "Hello from a hostile page"');
      expect(await w.iframe.boundingBox()).toEqual({ x: 1280 - PANEL_WIDTH, y: 800 - PANEL_HEIGHT, width: PANEL_WIDTH, height: PANEL_HEIGHT });
      clean(w);
      await w.page.context().close();
    });
  }

  it('fits the open panel in a page zoomed with `html { zoom: 2 }`', async () => {
    const w = await visit('zoom.html', { width: 700, height: 800 });
    await openPanel(w);
    const box = (await w.iframe.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(700);
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    clean(w);
    await w.page.context().close();
  });

  it('ends with the one warning when the page replaced fetch with one that throws', async () => {
    const w = await watchedPage(world.browser);
    await w.page.goto(`${world.allowed.url}/fixtures/broken-fetch.html`);
    await expect.poll(() => w.warnings.length, { timeout: 10_000 }).toBe(1);
    expect(w.warnings[0]).toMatch(/network_error/);
    await w.page.waitForTimeout(300);
    expect(await w.page.locator('iframe').count()).toBe(0);
    expect(w.pageErrors).toEqual([]);
    await w.page.context().close();
  });

  it("mounts a fresh widget after Kataven('destroy') when the tag is added again", async () => {
    const w = await visit('base-href.html');
    await w.page.evaluate(() => (window as any).Kataven('destroy'));
    expect(await w.page.locator('iframe').count()).toBe(0);
    await addTagAgainMountsOneWorkingWidget(w);
  });
});
