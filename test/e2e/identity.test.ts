/**
 * Verified visitors in Chromium (docs/identity.md), on the demo site: the page passes a visitor token
 * (queued before the loader, from the URL fragment of a fixture page, or after load), the conversation
 * started before sign-in is adopted, a second browser context of the same user sees it, logout leaves
 * nothing for the next visitor, and a key that requires sign-in says so. Each browser context has its
 * own storage; waits are on what the frame shows or the hub stores, never on time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kataven } from '../../src/client/kataven.js';
import { EN } from '../../src/frame/strings.js';
import { startWorld, watchedPage, widgetFrame, type World } from './harness.js';

/** Queues `identify` with the token of the URL fragment before the loader, and records error events. */
const IDENTIFY_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed in</title>
<script>
  window.Kataven = window.Kataven || function () { (Kataven.q = Kataven.q || []).push(arguments); };
  window.errors = [];
  window.expired = [];
  Kataven('on', 'error', function (e) { window.errors.push(e); });
  Kataven('on', 'identity_expired', function (e) { window.expired.push(e); });
  if (location.hash.length > 1) Kataven('identify', decodeURIComponent(location.hash.slice(1)));
</script></head>
<body><main><h1>Account</h1></main><script src="{{HUB}}/widget/v1/loader.js" data-client-key="{{KEY}}" async></script></body></html>`;

describe('verified visitors in Chromium', () => {
  let world: World;
  let secret: string;
  beforeAll(async () => {
    world = await startWorld();
    world.pages.set('/fixtures/identify.html', IDENTIFY_PAGE);
    const on = await world.hub.api(`/api/v1/widget-keys/${world.key.id}`, { method: 'PATCH', body: { identity: 'optional' } });
    secret = on.body.identity_secret;
  }, 60_000);
  afterAll(() => world?.close());

  const token = (id: string, expiresIn = 600) => Kataven.identity.sign({ secret, keyId: world.key.id, user: { id, name: 'Ada' }, expiresIn });

  /** The fixture page in a fresh browser context, with `tokenForPage` queued before the loader; the panel open. */
  async function openChat(tokenForPage?: string) {
    const w = await watchedPage(world.browser);
    await w.page.goto(`${world.allowed.url}/fixtures/identify.html${tokenForPage ? '#' + encodeURIComponent(tokenForPage) : ''}`);
    const { frame } = await widgetFrame(w.page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    const say = async (text: string) => {
      await frame.getByRole('textbox').fill(text);
      await frame.getByRole('textbox').press('Enter');
    };
    return { ...w, frame, log: frame.getByRole('log'), say };
  }

  const visitorOf = async (text: string) => {
    const row = await world.hub.store.db
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .select(['conversations.id', 'conversations.visitor_id'])
      .where('messages.text', '=', text)
      .executeTakeFirst();
    return row ?? null;
  };
  const frameOf = (page: Page) => page.frames().find((f) => f.url().startsWith(world.hub.url + '/widget/v1/frame'))!;
  const storedIds = (page: Page) => frameOf(page).evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('kataven:conversation:')));
  /** axe-core's WCAG 2.x A and AA rules, run inside the frame (its CSP refuses script tags, not evaluate). */
  async function axeViolations(page: Page) {
    const frame = frameOf(page);
    await frame.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
    return frame.evaluate(async () => {
      const result = await (window as any).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] });
      // No rule passed: axe checked nothing, which must not read as "no violations".
      if (!result.passes.length) return ['axe ran no rule'];
      return result.violations.map((v: { id: string; nodes: unknown[] }) => `${v.id} (${v.nodes.length})`);
    });
  }

  it('adopts the anonymous conversation on sign-in; another browser of the same user sees it; logout clears it', async () => {
    const first = await openChat();
    await first.say('Asked before signing in');
    await expect.poll(() => visitorOf('Asked before signing in')).toMatchObject({ visitor_id: null });
    // After load: the page learns who is signed in and passes the token.
    const signed = await token('user_e2e');
    await first.page.evaluate((t) => (window as any).Kataven('identify', t), signed);
    await expect.poll(() => visitorOf('Asked before signing in').then((r) => r?.visitor_id)).toBe('user_e2e');
    await expect.poll(() => first.log.textContent()).toContain('Asked before signing in');

    // Another browser (its own storage), the same user, the token queued before the loader ran.
    const second = await openChat(await token('user_e2e'));
    await expect.poll(() => second.log.textContent(), { timeout: 15_000 }).toContain('Asked before signing in');
    await second.say('And from my phone');
    await expect.poll(() => first.log.textContent(), { timeout: 15_000 }).toContain('And from my phone');

    // Logout: nothing of it on screen or in storage, nor after a reload of the page.
    await first.page.evaluate(() => (window as any).Kataven('logout'));
    await expect.poll(() => first.log.textContent()).not.toContain('Asked before signing in');
    expect(await storedIds(first.page)).toEqual([]);
    await first.page.reload();
    const { frame } = await widgetFrame(first.page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    await frame.getByRole('textbox').waitFor();
    expect(await frame.getByRole('log').textContent()).not.toContain('Asked before signing in');
    expect(first.pageErrors).toEqual([]);
    expect(second.pageErrors).toEqual([]);
    await first.page.context().close();
    await second.page.context().close();
  });

  it('a refused token is an error event naming the check and one console line; the visitor chats on anonymously', async () => {
    const forged = await Kataven.identity.sign({ secret: 'idsec_' + 'x'.repeat(43), keyId: world.key.id, user: { id: 'user_forged' } });
    const c = await openChat(forged);
    await expect.poll(() => c.page.evaluate(() => (window as any).errors.map((e: { type: string }) => e.type))).toEqual(['identity_signature']);
    expect(c.warnings.filter((w) => w.includes('identity_signature'))).toHaveLength(1);
    expect(await c.frame.getByRole('textbox').isEnabled()).toBe(true);
    await c.page.context().close();
  });

  it('emits identity_expired before a token runs out; a renewed token keeps the visitor verified', async () => {
    const c = await openChat(await token('user_renew', 4));
    await expect.poll(() => c.page.evaluate(() => (window as any).expired.length), { timeout: 10_000 }).toBe(1);
    const [event] = await c.page.evaluate(() => (window as any).expired);
    expect(Date.parse(event.expires_at)).toBeGreaterThan(Date.now() - 4_000);
    await c.page.evaluate((t) => (window as any).Kataven('identify', t), await token('user_renew'));
    await c.say('Still me after renewing');
    await expect.poll(() => visitorOf('Still me after renewing').then((r) => r?.visitor_id), { timeout: 10_000 }).toBe('user_renew');
    expect(await c.page.evaluate(() => (window as any).errors)).toEqual([]);
    await c.page.context().close();
  });

  // Last: the key stays `required` from here on.
  it('required: without a token the widget asks the visitor to sign in, and the page hears identity_missing', async () => {
    await world.hub.api(`/api/v1/widget-keys/${world.key.id}`, { method: 'PATCH', body: { identity: 'required' } });
    const c = await openChat();
    await expect.poll(() => c.frame.getByRole('alert').textContent()).toBe(EN.signIn);
    expect(await c.frame.getByRole('textbox').isDisabled()).toBe(true);
    expect(await axeViolations(c.page)).toEqual([]);
    await expect.poll(() => c.page.evaluate(() => (window as any).errors.map((e: { type: string }) => e.type))).toEqual(['identity_missing']);
    expect(c.warnings.some((w) => w.startsWith('[kataven] visitor not verified') && w.endsWith('(identity_missing)'))).toBe(true);
    // Signing in opens the composer.
    await c.page.evaluate((t) => (window as any).Kataven('identify', t), await token('user_required'));
    await expect.poll(() => c.frame.getByRole('textbox').isEnabled()).toBe(true);
    expect(await c.frame.locator('[role=alert]').textContent()).toBe('');
    await c.page.context().close();
  });
});
