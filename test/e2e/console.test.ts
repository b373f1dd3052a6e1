/**
 * The console at /console in Chromium, against a real hub and the demo sites: sign in with the secret
 * key (kept nowhere by the browser), create a key and copy its tag, see the origin it refused after a
 * handshake from it, allow it in one click, and the widget then mounts there; a forged POST from another
 * site is refused; sign out ends the session; no axe violations on any page, keyboard only where it counts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMessage } from '../../src/hub/conversations/repo.js';
import { CONSOLE_COOKIE } from '../../src/protocol/console.js';
import { allowedText, TEST_KEY_REACH } from '../../src/protocol/key-reach.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { widgetCall } from '../helpers/widget.js';
import { visitorConversation } from '../hub/visitor-conversation.js';
import { startWorld, widgetFrame, type World } from './harness.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core in the page (the console's CSP refuses script tags, not page.evaluate): the violations, by rule and target. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('the console in Chromium', () => {
  let world: World;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    world = await startWorld();
    context = await world.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.hub.url });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) cspViolations.push(m.text());
    });
  });
  afterAll(() => world.close());

  it('signs in with the keyboard: the key field is cleared, nothing is stored, the cookie is out of reach of script', async () => {
    await page.goto(`${world.hub.url}/console`);
    expect(await axeViolations(page)).toEqual([]);
    // Focus starts in the key field: type and press Enter.
    await page.keyboard.type(world.hub.account.secret_key);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Widget keys' }).waitFor();
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie, html: document.documentElement.outerHTML }));
    expect(stored.local).toBe(0);
    expect(stored.session).toBe(0);
    expect(stored.cookie).toBe('');
    expect(stored.html).not.toContain(world.hub.account.secret_key);
    const cookie = (await context.cookies(world.hub.url)).find((c) => c.name === CONSOLE_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows an allowlist entry\'s error as it is typed, in the API\'s words', async () => {
    const entry = page.getByRole('textbox', { name: 'Entry 1', exact: true });
    await entry.fill('*.github.io');
    await expect.poll(() => page.locator('.entries .msg.error').textContent(), { timeout: 10_000 }).toContain('*.github.io');
    await entry.fill('Shop.Example.com/');
    await expect.poll(() => page.locator('.entries .msg').first().textContent(), { timeout: 10_000 }).toBe('Saved as shop.example.com');
  });

  let tag = '';
  it('creates a key, shows its tags once and copies the install tag', async () => {
    await page.getByLabel('Name', { exact: true }).fill('Console shop');
    // The allowlist says shop.example.com: the demo site on 127.0.0.1 is refused until allowed.
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'Key "Console shop" created' }).waitFor();
    const shown = await page.locator('.copyable pre').allTextContents();
    expect(shown[0]).toMatch(/^pk_live_/);
    expect(shown[1]).toBe(`<script src="${world.hub.url}/widget/v1/loader.js" data-client-key="${shown[0]}" async></script>`);
    expect(shown[2]).toContain('integrity="sha384-');
    await page.getByRole('button', { name: 'Copy install tag' }).click();
    await page.getByRole('status').filter({ hasText: 'Install tag copied.' }).waitFor();
    tag = await page.evaluate(() => navigator.clipboard.readText());
    expect(tag).toBe(shown[1]);
    // The table above lists the new key without a reload.
    await page.getByRole('row', { name: /Console shop/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('lists the origin a handshake was refused from, allows it in one click after showing the entry, and the widget then mounts there', async () => {
    world.pages.set('/fixtures/console-tag.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>${tag}</body></html>`);
    const site = await context.newPage();
    const refusals: number[] = [];
    site.on('response', (r) => r.url().includes('/handshake') && refusals.push(r.status()));
    await site.goto(`${world.refused.url}/fixtures/console-tag.html`);
    await expect.poll(() => refusals, { timeout: 15_000 }).toEqual([403]);

    await page.getByRole('link', { name: 'Manage "Console shop"' }).click();
    const origin = world.refused.url;
    const row = page.getByRole('row', { name: new RegExp(origin.replace(/[.:/]/g, '\\$&')) });
    // The recorder writes the first refusal in the background: reload until it is there.
    await expect.poll(async () => {
      await page.reload();
      return row.count();
    }, { timeout: 15_000 }).toBe(1);
    expect(await row.textContent()).toContain('origin_not_allowed');
    expect(await axeViolations(page)).toEqual([]);

    await row.getByRole('button', { name: `Allow ${origin}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Allow this origin?' });
    const entry = new URL(origin).host;
    expect(await dialog.locator('code').textContent()).toBe(entry);
    expect(await axeViolations(page)).toEqual([]);
    // Keyboard: focus starts on Cancel; Tab to the confirming button and press Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: `${entry} added to the allowlist.` }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Entry 2', exact: true }).inputValue()).toBe(entry);

    await site.reload();
    await widgetFrame(site, world.hub.url);
    await site.close();
  }, 90_000);

  it('answers an origin test from the key page with the handshake\'s words', async () => {
    await page.getByRole('textbox', { name: 'Origin', exact: true }).fill('https://elsewhere.example');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await expect.poll(() => page.locator('.answer').textContent()).toMatch(/^Refused: .*To allow it, add elsewhere\.example\./);
  });

  it('refuses a forged form POST from another site (no cookie sent) and from a same-site page; nothing is written', async () => {
    const form = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forge</title></head><body>
<form method="post" action="${world.hub.url}/api/v1/agents" enctype="text/plain"><input type="hidden" name='{"name":"forged","x":"' value='"}'><button>Win a prize</button></form></body></html>`;
    world.pages.set('/fixtures/forge.html', form);
    // localhost is another site than the hub's 127.0.0.1; 127.0.0.1 on another port is the same site.
    for (const base of [world.allowed.url, world.refused.url]) {
      const forge = await context.newPage();
      await forge.goto(`${base}/fixtures/forge.html`);
      const [answer] = await Promise.all([forge.waitForNavigation(), forge.getByRole('button', { name: 'Win a prize' }).click()]);
      expect(answer!.status()).toBeGreaterThanOrEqual(400);
      await forge.close();
    }
    const agents = await world.hub.api('/api/v1/agents');
    expect(agents.body.data.map((a: { name: string }) => a.name)).not.toContain('forged');
  });

  it('shows agents with a live preview of the widget that follows the form (dark theme and language too), saves them, and answers a test event', async () => {
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('table').getByRole('link').first().click();
    await page.getByLabel('Greeting').fill('Welcome to the console shop!');
    const preview = page.frameLocator('iframe[title^="Preview"]');
    await preview.getByText('Welcome to the console shop!').waitFor();
    await page.getByLabel('Theme').selectOption('dark');
    await preview.locator('.kv.kv-dark').waitFor({ state: 'attached' });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Language').selectOption('de');
    await preview.getByPlaceholder('Nachricht schreiben…').waitFor();
    await page.getByRole('button', { name: 'Save agent' }).click();
    await page.getByText('Agent saved.').waitFor();
    const id = decodeURIComponent(page.url().split('/').at(-1)!);
    expect((await world.hub.api(`/api/v1/agents/${id}`)).body).toMatchObject({ theme: 'dark', locale: 'de', greeting: 'Welcome to the console shop!' });
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await expect.poll(() => page.locator('.answer').textContent(), { timeout: 15_000 }).toContain('The agent answered:');
  });

  it('rotates the webhook secret after a confirmation and shows the new one', async () => {
    const before = await page.locator('#secret ~ p code').textContent();
    await page.getByRole('button', { name: 'Rotate webhook secret' }).click();
    await page.getByRole('dialog', { name: 'Rotate the webhook secret?' }).getByRole('button', { name: 'Rotate' }).click();
    await expect.poll(() => page.locator('#secret ~ p code').textContent()).not.toBe(before);
    const id = decodeURIComponent(page.url().split('/').at(-1)!);
    expect((await world.hub.api(`/api/v1/agents/${id}`)).body.webhook_secret).toBe(await page.locator('#secret ~ p code').textContent());
  });

  it('reads a conversation, replies as a person, and deletes it for good', async () => {
    const conversation = await visitorConversation(world.hub.url, world.hub.account.secret_key);
    await insertMessage(world.hub.store.db, conversation.id, { role: 'agent', text: 'Let me ', status: 'failed', failure_type: 'agent_timeout' });
    await page.getByRole('link', { name: 'Conversations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Conversations' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${world.hub.url}/console#/conversations/${conversation.id}`);
    await page.getByRole('heading', { level: 1, name: /^Conversation on / }).waitFor();
    // A failed reply says why, for the owner to fix (docs/agents.md's failure types).
    await page.getByText('· failed (agent_timeout)').waitFor();
    await page.getByLabel('Your name').fill('Sam');
    await page.getByLabel('Reply', { exact: true }).fill('Sam here: happy to help.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Sam here: happy to help.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const stored = (await world.hub.api(`/api/v1/conversations/${conversation.id}`)).body.messages.at(-1);
    expect(stored).toMatchObject({ role: 'person', author_name: 'Sam', text: 'Sam here: happy to help.' });
    await page.getByRole('button', { name: 'Delete conversation' }).click();
    await page.getByRole('dialog', { name: 'Delete this conversation?' }).getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('heading', { level: 1, name: 'Conversations' }).waitFor();
    expect((await world.hub.api(`/api/v1/conversations/${conversation.id}`)).status).toBe(404);
  });

  it('takes a conversation over from the agent by name and hands it back', async () => {
    const conversation = await visitorConversation(world.hub.url, world.hub.account.secret_key);
    await page.goto(`${world.hub.url}/console#/conversations/${conversation.id}`);
    await page.getByRole('heading', { level: 2, name: 'Who answers' }).waitFor();
    await page.getByLabel('Name shown to the visitor').fill(' Sam ');
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByText('Sam answers: the agent is not called').waitFor();
    expect((await world.hub.api(`/api/v1/conversations/${conversation.id}`)).body.taken_over_by).toBe('Sam');
    // The reply form is ready to answer as the person who took over.
    expect(await page.getByLabel('Your name').inputValue()).toBe('Sam');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'All conversations' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Sam' }).count()).toBe(1);
    await page.goto(`${world.hub.url}/console#/conversations/${conversation.id}`);
    await page.getByRole('button', { name: 'Hand back to the agent' }).click();
    await page.getByRole('button', { name: 'Take over' }).waitFor();
    expect((await world.hub.api(`/api/v1/conversations/${conversation.id}`)).body.taken_over_by).toBeNull();
  });

  it('shows what the visitor writes while the conversation is open, without a reload, and says it politely', async () => {
    const conversation = await visitorConversation(world.hub.url, world.hub.account.secret_key);
    await world.hub.api(`/api/v1/conversations/${conversation.id}`, { method: 'PATCH', body: { taken_over_by: 'Sam' } });
    await page.goto(`${world.hub.url}/console#/conversations/${conversation.id}`);
    await page.getByRole('heading', { level: 2, name: 'Who answers' }).waitFor();
    const log = page.getByRole('list', { name: 'Messages, oldest first' });
    expect(await log.getByRole('listitem').count()).toBe(0);
    const sent = await widgetCall(world.hub, conversation.token, 'POST', WIDGET_API.messages(conversation.id), { text: 'Is anyone there?' });
    expect(sent.status).toBe(202);
    await log.getByText('Is anyone there?').waitFor({ timeout: 10_000 });
    expect(await log.getAttribute('aria-live')).toBe('polite');
    expect(await log.getByRole('listitem').count()).toBe(1);
  });

  it('follows a takeover made elsewhere: the card names the colleague and offers to hand back, without a reload', async () => {
    const conversation = await visitorConversation(world.hub.url, world.hub.account.secret_key);
    await page.goto(`${world.hub.url}/console#/conversations/${conversation.id}`);
    await page.getByRole('button', { name: 'Take over' }).waitFor();
    await world.hub.api(`/api/v1/conversations/${conversation.id}`, { method: 'PATCH', body: { taken_over_by: 'Alex' } });
    await page.getByText('Alex answers: the agent is not called').waitFor({ timeout: 10_000 });
    expect(await page.getByRole('button', { name: 'Take over' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Hand back to the agent' }).waitFor();
  });

  it('takes over only if nobody did meanwhile: a colleague who just took over is kept and named', async () => {
    const conversation = await visitorConversation(world.hub.url, world.hub.account.secret_key);
    await page.goto(`${world.hub.url}/console#/conversations/${conversation.id}`);
    await page.getByRole('button', { name: 'Take over' }).waitFor();
    // The tab in the background stops the card following the hub, so it still shows the agent when Alex
    // takes over elsewhere (the moment between two reads, held open).
    await page.evaluate(() => Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }));
    await new Promise((r) => setTimeout(r, 300));
    await world.hub.api(`/api/v1/conversations/${conversation.id}`, { method: 'PATCH', body: { taken_over_by: 'Alex' } });
    await page.getByLabel('Name shown to the visitor').fill('Sam');
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByText('Nothing changed: someone else changed who answers just before you.').waitFor();
    await page.getByText('Alex answers: the agent is not called').waitFor();
    expect((await world.hub.api(`/api/v1/conversations/${conversation.id}`)).body.taken_over_by).toBe('Alex');
    await page.evaluate(() => delete (document as { hidden?: boolean }).hidden);
  });

  it('reads an open conversation again only while its tab is seen', async () => {
    const conversation = await visitorConversation(world.hub.url, world.hub.account.secret_key);
    const reads: string[] = [];
    const count = (r: { url(): string; method(): string }) => r.method() === 'GET' && r.url().endsWith(`/api/v1/conversations/${conversation.id}`) && reads.push(r.url());
    page.on('request', count);
    try {
      await page.goto(`${world.hub.url}/console#/conversations/${conversation.id}`);
      await page.getByRole('heading', { level: 2, name: 'Who answers' }).waitFor();
      await expect.poll(() => reads.length, { timeout: 10_000 }).toBeGreaterThan(1);
      // A tab in the background: document.hidden, as the browser reports it there.
      await page.evaluate(() => Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }));
      await new Promise((r) => setTimeout(r, 300));
      const hidden = reads.length;
      await new Promise((r) => setTimeout(r, 4_500));
      expect(reads.length).toBe(hidden);
      await page.evaluate(() => delete (document as { hidden?: boolean }).hidden);
      await expect.poll(() => reads.length, { timeout: 10_000 }).toBeGreaterThan(hidden);
    } finally {
      page.off('request', count);
    }
  });

  it('offers to create another key after one, and the Widget keys link draws the page again', async () => {
    await page.goto(`${world.hub.url}/console#/keys`);
    await page.getByRole('heading', { level: 1, name: 'Widget keys' }).waitFor();
    const create = async (name: string) => {
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Mode').selectOption('test');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('heading', { name: `Key "${name}" created` }).waitFor();
      await page.getByRole('row', { name: new RegExp(name) }).waitFor();
    };
    await create('Spare one');
    await page.getByRole('button', { name: 'Create another key' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(await page.getByLabel('Name', { exact: true }).getAttribute('id'));
    await create('Spare two');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Widget keys' }).click();
    await page.getByRole('button', { name: 'Create key' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Key "Spare two" created' }).count()).toBe(0);
  });

  it('revokes and restores a key, and deletes a never-used key for good after saying so', async () => {
    const created = (await world.hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'Spare', domain_allowlist: ['spare.example'] } })).body;
    await page.goto(`${world.hub.url}/console#/keys/${created.id}`);
    await page.getByRole('heading', { level: 1, name: 'Widget key "Spare"' }).waitFor();
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke this key?' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Restore' }).waitFor();
    expect((await world.hub.api('/api/v1/widget-keys?limit=100')).body.data.find((k: { id: string }) => k.id === created.id).disabled_at).not.toBeNull();
    await page.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('button', { name: 'Revoke' }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this key?' });
    expect(await dialog.textContent()).toContain('never used, so it will be deleted for good');
    await dialog.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('heading', { level: 1, name: 'Widget keys' }).waitFor();
    expect((await world.hub.api('/api/v1/widget-keys?limit=100')).body.data.map((k: { id: string }) => k.id)).not.toContain(created.id);
  });

  it('says a test key works on loopback pages whatever its allowlist, never offers that list, and tests a loopback origin in the CLI\'s words', async () => {
    // An allowlist stored through the API: the console must not present it as what decides.
    const created = (await world.hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'Laptop', mode: 'test', domain_allowlist: ['laptop.example'] } })).body;
    // A load of its own: the keys list may be the page already shown, and a same-document goto draws nothing new.
    await page.goto('about:blank');
    await page.goto(`${world.hub.url}/console#/keys`);
    const row = page.getByRole('row', { name: /^Laptop / });
    expect(await row.getByRole('cell').nth(2).textContent()).toBe(TEST_KEY_REACH);

    await row.getByRole('link', { name: 'Laptop' }).click();
    await page.getByRole('heading', { level: 2, name: 'Where it works' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Allowlist' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Origin', exact: true }).fill('http://localhost:5173');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await expect.poll(() => page.locator('.answer').textContent()).toBe(allowedText('http://localhost:5173', null));
    expect((await world.hub.api(`/api/v1/widget-keys/${created.id}/check-origin`, { method: 'POST', body: { origin: 'http://localhost:5173' } })).body).toMatchObject({ allowed: true, matched_entry: null });

    // Creating one: the allowlist editor goes away with the Test mode, and the key is made with no list.
    await page.getByRole('link', { name: 'All keys' }).click();
    // The key page has a form labelled "Name" too (its rename card): wait for the list page's own.
    await page.getByRole('heading', { level: 2, name: 'Create a widget key' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Laptop 2');
    const allowlist = page.getByRole('group', { name: 'Allowed origins' });
    await allowlist.getByRole('textbox', { name: 'Entry 1', exact: true }).fill('shop.example.com');
    await page.getByLabel('Mode').selectOption('test');
    await allowlist.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'Key "Laptop 2" created' }).waitFor();
    const made = (await world.hub.api('/api/v1/widget-keys?limit=100')).body.data.find((k: { name: string }) => k.name === 'Laptop 2');
    expect(made).toMatchObject({ mode: 'test', domain_allowlist: [] });
  });

  it('never draws a page still loading into the next one the owner moved on to', async () => {
    const created = (await world.hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'Quick', domain_allowlist: ['quick.example'] } })).body;
    await page.goto(`${world.hub.url}/console#/agents`);
    await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
    // The keys list's first request is held (a slow hub), so its page is still loading when the owner moves on.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const list = /\/api\/v1\/widget-keys\?limit=100/;
    await page.route(list, async (route) => {
      if (first) {
        first = false;
        await held;
      }
      await route.continue();
    });
    await page.evaluate(() => (location.hash = '#/keys'));
    await expect.poll(() => first).toBe(false);
    await page.evaluate((id) => (location.hash = `#/keys/${id}`), created.id);
    await page.getByRole('heading', { level: 1, name: 'Widget key "Quick"' }).waitFor();
    const late = page.waitForResponse(list);
    release();
    await late;
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.unroute(list);
    expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['Widget key "Quick"']);
  });

  it('signs out: back to the sign-in form, the cookie gone, the old session refused by the hub', async () => {
    const before = (await context.cookies(world.hub.url)).find((c) => c.name === CONSOLE_COOKIE)!;
    // A list still loading when the owner signs out answers 401 after the form is back: it must
    // neither replace the notice nor wipe what the owner has begun to type.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked = false;
    const list = /\/api\/v1\/widget-keys\?limit=100/;
    await page.route(list, async (route) => {
      asked = true;
      await held;
      await route.continue();
    });
    await page.evaluate(() => (location.hash = '#/keys'));
    await expect.poll(() => asked).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Kataven console' }).waitFor();
    await page.getByLabel('Secret key').fill('sk_live_begun');
    const late = page.waitForResponse(list);
    release();
    expect((await late).status()).toBe(401);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.unroute(list);
    expect(await page.getByRole('alert').textContent()).toBe('You are signed out.');
    expect(await page.getByLabel('Secret key').inputValue()).toBe('sk_live_begun');
    expect((await context.cookies(world.hub.url)).find((c) => c.name === CONSOLE_COOKIE)).toBeUndefined();
    const replay = await world.hub.api('/api/v1/widget-keys', { key: null, headers: { cookie: `${CONSOLE_COOKIE}=${before.value}` } });
    expect(replay.status).toBe(401);
  });

  it('ran without a page error or a CSP violation', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
