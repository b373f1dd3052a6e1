import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectWidgetWithoutViolation, startWorld, watchedPage, widgetFrame, type World } from './harness.js';

describe('the widget in Chromium', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  }, 60_000);
  afterAll(() => world?.close());

  it('mounts, opens and completes a conversation on the allowed origin', async () => {
    const { page, warnings, pageErrors } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/');
    const { frame, iframe } = await widgetFrame(page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    const box = frame.getByRole('textbox');
    await box.fill('Do you sell tents?');
    await box.press('Enter');
    await expect.poll(() => frame.getByRole('log').textContent(), { timeout: 10_000 }).toContain('You said: "Do you sell tents?"');
    expect((await iframe.boundingBox())!.width).toBeGreaterThan(300);
    expect(warnings).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('shows nothing on a refused origin and warns once, naming the origin', async () => {
    const { page, warnings, pageErrors } = await watchedPage(world.browser);
    await page.goto(world.refused.url + '/');
    await expect.poll(() => warnings.length, { timeout: 10_000 }).toBe(1);
    expect(warnings[0]).toContain(world.refused.url);
    expect(warnings[0]).toContain('origin_not_allowed');
    expect(await page.locator('iframe').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('needs only loader, then handshake and frame at once, before the launcher, with no preflight', async () => {
    const { page, requests } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/');
    await widgetFrame(page, world.hub.url);
    const toHub = requests.filter((r) => r.includes(world.hub.url));
    expect(toHub.filter((r) => r.startsWith('OPTIONS'))).toEqual([]);
    const paths = toHub.map((r) => r.replace(world.hub.url, '').replace(/\?.*$/, ''));
    expect(paths[0]).toBe('GET /widget/v1/loader.js');
    // The frame's CSS and JS are inline: no request after the frame document.
    expect(paths.slice(1).sort()).toEqual(['GET /widget/v1/frame', 'POST /api/v1/widget/handshake']);
    await page.context().close();
  });

  it('blocks the frame when a refused origin embeds frame_url directly, even with a forged o', async () => {
    const { page } = await watchedPage(world.browser);
    const forged = `${world.hub.url}/widget/v1/frame?k=${world.key.id}&o=${encodeURIComponent(world.allowed.url)}`;
    world.pages.set('/embed.html', `<!doctype html><iframe id="f" src="${forged}"></iframe>`);
    const blocked = page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: 10_000 });
    await page.goto(world.refused.url + '/embed.html');
    expect((await blocked).text()).toContain('frame-ancestors');
    const child = page.frames().find((f) => f.url().startsWith(world.hub.url));
    // Chromium replaces a frame blocked by frame-ancestors with an error page: none of the widget runs.
    const widgetLoaded = child ? await child.evaluate(() => document.querySelector('script') !== null).catch(() => false) : false;
    expect(widgetLoaded).toBe(false);
    await page.context().close();
  });

  it('works on the strict-CSP page with no CSP violation', async () => {
    await expectWidgetWithoutViolation(world, world.allowed.url + '/strict-csp.html');
  });

  it('mounts one iframe when the tag is included twice', async () => {
    const { page, warnings, pageErrors } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/double.html');
    await widgetFrame(page, world.hub.url);
    await page.waitForTimeout(300);
    expect(await page.locator('iframe').count()).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/twice|more than once|already/i);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('mounts from a tag in <head> that runs before <body> exists', async () => {
    const { page, warnings, pageErrors } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/head.html');
    await widgetFrame(page, world.hub.url);
    expect(warnings).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('keeps the widget and its conversation across pushState navigation', async () => {
    const { page } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/spa.html');
    const { frame } = await widgetFrame(page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    await frame.getByRole('textbox').fill('Remember me');
    await frame.getByRole('textbox').press('Enter');
    await expect.poll(() => frame.getByRole('log').textContent(), { timeout: 10_000 }).toContain('You said: "Remember me"');
    await page.getByRole('button', { name: 'Tents' }).click();
    await page.getByRole('button', { name: 'Packs' }).click();
    expect(page.url()).toContain('#packs');
    expect(await page.locator('iframe').count()).toBe(1);
    expect(await frame.getByRole('log').textContent()).toContain('Remember me');
    await page.context().close();
  });

  it('opens the panel for a Kataven("open") queued before the loader loaded', async () => {
    const { page } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/queue.html');
    const { frame, iframe } = await widgetFrame(page, world.hub.url);
    await frame.getByRole('textbox').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.title()).toBe('Acme Outdoor: chat open');
    expect((await iframe.boundingBox())!.height).toBeGreaterThan(300);
    await page.context().close();
  });

  it('brings the conversation back after a reload', async () => {
    const { page } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/');
    let { frame } = await widgetFrame(page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    await frame.getByRole('textbox').fill('Still there after reload?');
    await frame.getByRole('textbox').press('Enter');
    await expect.poll(() => frame.getByRole('log').textContent(), { timeout: 10_000 }).toContain('You said: "Still there after reload?"');
    await page.reload();
    ({ frame } = await widgetFrame(page, world.hub.url));
    await frame.getByRole('button', { name: /open chat/i }).click();
    await expect.poll(() => frame.getByRole('log').textContent(), { timeout: 10_000 }).toContain('Still there after reload?');
    await page.context().close();
  });

  it('closes on Escape and returns focus to the launcher', async () => {
    const { page } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/');
    const { frame, iframe } = await widgetFrame(page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    const box = frame.getByRole('textbox');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await box.press('Escape');
    const launcher = frame.getByRole('button', { name: /open chat/i });
    await expect.poll(() => launcher.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect.poll(async () => (await iframe.boundingBox())!.height).toBeLessThan(120);
    await page.context().close();
  });

  it('gives a 375-px-wide viewport the full-screen panel', async () => {
    const { page } = await watchedPage(world.browser, { width: 375, height: 667 });
    await page.goto(world.allowed.url + '/');
    const { frame, iframe } = await widgetFrame(page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    await expect.poll(async () => (await iframe.boundingBox())!.width).toBe(375);
    expect((await iframe.boundingBox())!.height).toBe(667);
    await page.context().close();
  });

  it('answers the host-page API: toggle, events and destroy', async () => {
    const { page, pageErrors } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/');
    const { iframe } = await widgetFrame(page, world.hub.url);
    await page.evaluate(() => {
      const w = window as any;
      w.seen = [];
      w.Kataven('on', 'open', () => w.seen.push('open'));
      w.Kataven('on', 'close', () => w.seen.push('close'));
      w.Kataven('toggle');
    });
    const seen = () => page.evaluate(() => (window as any).seen as string[]);
    await expect.poll(seen, { timeout: 10_000 }).toEqual(['open']);
    await page.evaluate(() => (window as any).Kataven('close'));
    await expect.poll(seen, { timeout: 10_000 }).toEqual(['open', 'close']);
    await expect.poll(async () => (await iframe.boundingBox())!.height).toBeLessThan(120);
    await page.evaluate(() => (window as any).Kataven('destroy'));
    expect(await page.locator('iframe').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('sends a context queued before the loader with each visitor message, and emits message for the reply', async () => {
    const { page, warnings, pageErrors } = await watchedPage(world.browser);
    const tag = `<script src="${world.hub.url}/widget/v1/loader.js" data-client-key="${world.key.key}" async></script>`;
    world.pages.set(
      '/context.html',
      `<!doctype html><html><body><p>tents</p><script>
        window.Kataven = window.Kataven || function () { (Kataven.q = Kataven.q || []).push(arguments); };
        window.replies = [];
        Kataven('context', { page: '/tents', cart: { items: 2 } });
        Kataven('on', 'message', function (reply) { window.replies.push(reply); });
      </script>${tag}</body></html>`,
    );
    const posted: unknown[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/conversations\/[^/]+\/messages$/.test(r.url())) posted.push(r.postDataJSON());
    });
    await page.goto(world.allowed.url + '/context.html');
    const { frame } = await widgetFrame(page, world.hub.url);
    // Not cloneable: refused in the page with the one line, and the widget goes on.
    await page.evaluate(() => (window as any).Kataven('context', { node: document.body }));
    await frame.getByRole('button', { name: /open chat/i }).click();
    const box = frame.getByRole('textbox');
    await box.fill('Do you sell tents?');
    await box.press('Enter');
    await expect.poll(() => page.evaluate(() => (window as any).replies), { timeout: 10_000 }).toEqual([
      { role: 'agent', text: expect.stringContaining('You said: "Do you sell tents?"') },
    ]);
    expect(posted).toEqual([expect.objectContaining({ text: 'Do you sell tents?', context: { page: '/tents', cart: { items: 2 } } })]);
    expect(warnings).toEqual(['[kataven] ignored Kataven(context)']);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('honours data-position="left" and data-open="true", with the documented iframe attributes', async () => {
    const { page, warnings } = await watchedPage(world.browser);
    world.pages.set('/left-open.html', `<!doctype html><html><body><p>left</p><script src="${world.hub.url}/widget/v1/loader.js" data-client-key="${world.key.key}" data-position="left" data-open="true" async></script></body></html>`);
    await page.goto(world.allowed.url + '/left-open.html');
    const { iframe, frame } = await widgetFrame(page, world.hub.url);
    await frame.getByRole('textbox').waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await iframe.boundingBox())!.height).toBeGreaterThan(300);
    expect((await iframe.boundingBox())!.x).toBe(0);
    expect(await iframe.getAttribute('sandbox')).toBe('allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox');
    expect(await iframe.getAttribute('allow')).toBe('clipboard-write');
    expect(await iframe.getAttribute('title')).toMatch(/^Chat with /);
    expect(await iframe.getAttribute('style')).toContain('position: fixed');
    expect(warnings).toEqual([]);
    await page.context().close();
  });

  it("emits error with the handshake's type on a refused origin", async () => {
    const { page } = await watchedPage(world.browser);
    world.pages.set('/error-event.html', `<!doctype html><html><head><script>
      window.Kataven = window.Kataven || function () { (Kataven.q = Kataven.q || []).push(arguments); };
      Kataven('on', 'error', function (e) { document.title = 'error:' + e.type; });
    </script></head><body><script src="${world.hub.url}/widget/v1/loader.js" data-client-key="${world.key.key}" async></script></body></html>`);
    await page.goto(world.refused.url + '/error-event.html');
    await expect.poll(() => page.title(), { timeout: 10_000 }).toBe('error:origin_not_allowed');
    await page.context().close();
  });
});
