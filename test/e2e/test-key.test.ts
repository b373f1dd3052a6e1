/**
 * A test key in Chromium: the widget mounts on any loopback page, whatever the key's allowlist, and its
 * header says "Test" (in the dialog's name too), with no axe violation inside the frame.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../helpers/widget.js';
import { startWorld, watchedPage, widgetFrame, type World } from './harness.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('a test key in Chromium', () => {
  let world: World;
  let testKey: string;
  beforeAll(async () => {
    world = await startWorld();
    // An allowlist that names neither demo site: a test key ignores it on loopback pages.
    testKey = (await createKey(world.hub, ['shop.example'], { mode: 'test' })).key;
    world.pages.set('/test-key.html', `<!doctype html><html lang="en"><title>t</title><main>Test key page</main><script src="${world.hub.url}/widget/v1/loader.js" data-client-key="${testKey}" async></script></html>`);
  }, 60_000);
  afterAll(() => world?.close());

  it.each(['allowed', 'refused'] as const)('mounts on the %s site, tagged Test, without axe violations', async (site) => {
    const { page, warnings, pageErrors } = await watchedPage(world.browser);
    await page.goto(world[site].url + '/test-key.html');
    const { frame } = await widgetFrame(page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    await expect.poll(() => frame.getByRole('dialog', { name: / Test$/ }).count(), { timeout: 10_000 }).toBe(1);
    const inner = page.frames().find((f) => f.url().startsWith(world.hub.url + '/widget/v1/frame'))!;
    // The frame's CSP refuses script tags: axe goes in through evaluate.
    await inner.evaluate(axeSource);
    const violations = await inner.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string }[] }> } }).axe;
      const result = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] });
      return result.violations.map((v) => v.id);
    });
    expect(violations).toEqual([]);
    expect(warnings).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
