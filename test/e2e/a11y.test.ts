/**
 * WCAG 2.2 A/AA in Chromium: axe-core runs inside the frame (its CSP refuses script tags, so the source
 * goes in through `frame.evaluate`) in every state of issue 13, for every accent it lists, and the
 * keyboard and screen-reader paths are walked as a visitor would. The agent is a webhook on loopback
 * that streams what the test writes (the edge of the world); every wait is on what the frame shows.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentServer } from '../hub/conversations/agent-server.js';
import { startWorld, watchedPage, widgetFrame, type World } from './harness.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const ACCENTS = ['#4f46e5', '#3b82f6', '#ef4444', '#f59e0b', '#10b981', '#111827'];

interface Violation {
  id: string;
  impact: string;
  nodes: { target: string[]; failureSummary: string }[];
}

describe('the widget meets WCAG 2.2 AA in Chromium', () => {
  let world: World;
  let agent: Awaited<ReturnType<typeof agentServer>>;
  let agentId: string;
  beforeAll(async () => {
    // Each test is a new visitor's conversation, from one address: more than the per-address limit lets in a minute.
    world = await startWorld('shipped', { conversationRateLimitIp: 0 });
    agent = await agentServer({ kind: 'stream' });
    const created = await world.hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Scout', webhook_url: agent.url } });
    agentId = created.body.id;
    await world.hub.api(`/api/v1/widget-keys/${world.key.id}`, { method: 'PATCH', body: { agent_id: agentId } });
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await world?.close();
  });

  /** The agent's look for the next page load (the hub forgets its cached copy on the update). */
  const look = (body: Record<string, unknown>) => world.hub.api(`/api/v1/agents/${agentId}`, { method: 'PATCH', body });

  /** The demo site in a fresh context, up to the launcher; `frame` is the frame document itself. */
  async function visit(viewport?: { width: number; height: number }, options: { colorScheme?: 'dark' | 'light'; locale?: string } = {}) {
    const w = await watchedPage(world.browser, viewport);
    if (options.colorScheme) await w.page.emulateMedia({ colorScheme: options.colorScheme });
    if (options.locale) await w.page.setExtraHTTPHeaders({ 'accept-language': options.locale });
    await w.page.goto(world.allowed.url + '/');
    const { frame: locator, iframe } = await widgetFrame(w.page, world.hub.url);
    const frame = w.page.frames().find((f) => f.url().startsWith(world.hub.url + '/widget/v1/frame'))!;
    const say = async (text: string) => {
      await locator.getByRole('textbox').fill(text);
      await locator.getByRole('textbox').press('Enter');
    };
    const open = async () => {
      await locator.locator('.kv-launch').click();
      await expect.poll(async () => (await iframe.boundingBox())!.height).toBeGreaterThan(300);
    };
    return { ...w, frame, locator, iframe, say, open };
  }

  /** axe's WCAG 2.2 A/AA violations in the frame, as it is now. */
  async function violations(frame: Frame): Promise<Violation[]> {
    if (!(await frame.evaluate(() => 'axe' in window))) await frame.evaluate(AXE);
    const result = await frame.evaluate(
      (tags) => (window as unknown as { axe: { run(c: Document, o: unknown): Promise<{ violations: Violation[] }> } }).axe.run(document, { runOnly: { type: 'tag', values: tags } }),
      WCAG,
    );
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  }
  const clean = async (frame: Frame, state: string) => expect({ state, violations: await violations(frame) }).toEqual({ state, violations: [] });

  /** Records every text the polite region is given, in order, from now on. */
  const recordAnnouncements = (frame: Frame) =>
    frame.evaluate(() => {
      const seen: string[] = ((window as unknown as { said: string[] }).said = []);
      const region = document.querySelector('[role="status"]')!;
      new MutationObserver(() => seen.push(region.textContent || '')).observe(region, { childList: true, characterData: true, subtree: true });
    });
  const announcements = (frame: Frame) => frame.evaluate(() => (window as unknown as { said: string[] }).said.filter(Boolean));

  it('has no violation closed, open with the greeting, overflowing, streaming, failed, and with unread replies', async () => {
    agent.setMode({ kind: 'stream' });
    const v = await visit();
    await clean(v.frame, 'closed');
    await v.open();
    await clean(v.frame, 'open with the greeting only');
    await v.say(Array.from({ length: 40 }, (_, i) => `Line ${i + 1} of a long question`).join('\n'));
    const s = await agent.nextStream();
    await expect.poll(() => v.locator.locator('.kv-typing').count()).toBe(1);
    await clean(v.frame, 'the agent typing');
    s.delta('Here is **part** of the answer with `code` and a [link](https://example.com)');
    await expect.poll(() => v.locator.locator('.kv-agent.kv-streaming').count()).toBe(1);
    await clean(v.frame, 'streaming');
    s.done();
    await expect.poll(() => v.locator.locator('.kv-agent.kv-streaming').count()).toBe(0);
    expect(await v.locator.getByRole('log').evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    await clean(v.frame, 'open with an overflowing log');

    agent.setMode({ kind: 'status', status: 500 });
    await v.say('And another thing?');
    await v.locator.getByRole('button', { name: 'Retry' }).waitFor();
    await clean(v.frame, 'a failed reply');

    agent.setMode({ kind: 'stream' });
    await v.locator.getByRole('button', { name: 'Retry' }).click();
    const later = await agent.nextStream();
    await v.locator.getByRole('textbox').press('Escape');
    later.delta('Sorry for the wait.');
    later.done();
    await v.locator.locator('.kv-badge:not([hidden])').waitFor();
    await clean(v.frame, 'closed with an unread reply');
    await v.page.context().close();
  });

  it('has no violation full screen on a 375 × 667 phone, where the dialog is modal', async () => {
    const v = await visit({ width: 375, height: 667 });
    await v.locator.locator('.kv-launch').click();
    await expect.poll(async () => (await v.iframe.boundingBox())!.width).toBe(375);
    await expect.poll(() => v.locator.getByRole('dialog').getAttribute('aria-modal')).toBe('true');
    await clean(v.frame, 'full screen');
    await v.page.context().close();
  });

  it('has no violation in dark mode, chosen by the agent or by the visitor (auto)', async () => {
    await look({ theme: 'dark' });
    const dark = await visit();
    await dark.open();
    expect(await dark.frame.evaluate(() => document.querySelector('.kv')!.classList.contains('kv-dark'))).toBe(true);
    expect(await dark.locator.locator('.kv-panel').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(28, 28, 33)');
    await dark.say('Hello in the dark');
    (await agent.nextStream()).done();
    await clean(dark.frame, 'dark');
    await dark.page.context().close();
    await look({ theme: 'auto' });
    const auto = await visit(undefined, { colorScheme: 'dark' });
    expect(await auto.frame.evaluate(() => document.querySelector('.kv')!.classList.contains('kv-dark'))).toBe(true);
    await auto.page.context().close();
  });

  it('has no violation right to left, in Arabic chosen by the browser', async () => {
    const v = await visit(undefined, { locale: 'ar' });
    expect(await v.frame.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
    expect(await v.iframe.getAttribute('title')).toBe('محادثة مع Scout');
    await v.open();
    await v.say('مرحبا');
    (await agent.nextStream()).done();
    await expect.poll(() => v.locator.locator('.kv-visitor').count()).toBe(1);
    // The visitor's side is the start of the line in Arabic too: the left.
    const visitor = (await v.locator.locator('.kv-visitor').boundingBox())!;
    const log = (await v.locator.getByRole('log').boundingBox())!;
    expect(visitor.x - log.x).toBeLessThan(40);
    await clean(v.frame, 'RTL');
    await v.page.context().close();
  });

  for (const accent of ACCENTS) {
    it(`has no violation with accent ${accent}, closed and open with the visitor's bubble`, async () => {
      await look({ accent_color: accent });
      const v = await visit();
      await clean(v.frame, `${accent} closed`);
      await v.open();
      await v.say('Is this readable?');
      (await agent.nextStream()).done();
      await expect.poll(() => v.locator.locator('.kv-visitor').count()).toBe(1);
      await clean(v.frame, `${accent} open`);
      await v.page.context().close();
    });
  }

  it('is usable by keyboard: Tab reaches the launcher, Enter opens into the composer, Escape closes back to it', async () => {
    await look({ accent_color: '#4f46e5' });
    const v = await visit();
    // The iframe is the host page's last element: Shift+Tab from the top of the page lands on it.
    await v.page.keyboard.press('Shift+Tab');
    await expect.poll(() => v.frame.evaluate(() => document.activeElement?.className)).toBe('kv-launch');
    await v.page.keyboard.press('Enter');
    await expect.poll(() => v.frame.evaluate(() => document.activeElement?.id)).toBe('kv-input');
    expect(await v.locator.locator('.kv-launch').getAttribute('aria-expanded')).toBe('true');
    await v.page.keyboard.press('Escape');
    await expect.poll(() => v.frame.evaluate(() => document.activeElement?.className)).toBe('kv-launch');
    expect(await v.locator.locator('.kv-launch').getAttribute('aria-expanded')).toBe('false');
    await v.page.context().close();
  });

  it('keeps focus inside the full-screen dialog while it covers the page', async () => {
    const v = await visit({ width: 375, height: 667 });
    // Focus crosses into the frame's process asynchronously: Enter waits until it has landed.
    await v.page.keyboard.press('Shift+Tab');
    await expect.poll(() => v.frame.evaluate(() => document.activeElement?.className)).toBe('kv-launch');
    await v.page.keyboard.press('Enter');
    await expect.poll(async () => (await v.iframe.boundingBox())!.width).toBe(375);
    await expect.poll(() => v.frame.evaluate(() => document.activeElement?.id)).toBe('kv-input');
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await v.page.keyboard.press(key);
      expect([key, await v.frame.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'))]).toEqual([key, true]);
    }
    await v.page.context().close();
  });

  it('tells a screen reader that the agent is typing, then its reply, each once', async () => {
    agent.setMode({ kind: 'stream' });
    const v = await visit();
    await v.open();
    await recordAnnouncements(v.frame);
    await v.say('Anyone there?');
    const s = await agent.nextStream();
    await expect.poll(() => announcements(v.frame)).toEqual(['Scout is typing…']);
    s.delta('Yes, ');
    s.delta('right here.');
    s.done();
    await expect.poll(() => v.locator.locator('.kv-agent.kv-streaming').count()).toBe(0);
    await expect.poll(() => announcements(v.frame)).toEqual(['Scout is typing…', 'Scout: Yes, right here.']);
    // The typing line has words for screen readers, and the log takes focus to be scrolled.
    expect(await v.locator.getByRole('log').getAttribute('tabindex')).toBe('0');
    await v.page.context().close();
  });

  it('tells a screen reader who answers when a person takes over and hands back, with no violation meanwhile', async () => {
    agent.setMode({ kind: 'json', reply: 'Hello from Scout' });
    const v = await visit();
    await v.open();
    await v.say('Can I talk to a person?');
    await expect.poll(() => v.locator.locator('.kv-agent .kv-body').last().textContent()).toBe('Hello from Scout');
    const id = await v.frame.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith('kataven:conversation:'))?.[1] ?? '');
    await recordAnnouncements(v.frame);
    await world.hub.api(`/api/v1/conversations/${id}`, { method: 'PATCH', body: { taken_over_by: 'Sam' } });
    await expect.poll(() => announcements(v.frame)).toEqual(["You're chatting with Sam"]);
    await clean(v.frame, 'a person answering');
    await world.hub.api(`/api/v1/conversations/${id}`, { method: 'PATCH', body: { taken_over_by: null } });
    await expect.poll(() => announcements(v.frame)).toEqual(["You're chatting with Sam", "You're chatting with Scout"]);
    await v.page.context().close();
  });
});
