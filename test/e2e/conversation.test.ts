/**
 * A live conversation in Chromium, on the demo site (examples/site), with an agent the test drives: a
 * webhook server on loopback (the edge of the world) that streams what the test writes, fails, or
 * answers 202 and posts later. Each test has a browser context of its own (so a conversation of its
 * own) and waits on what the frame shows, never on time.
 */
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FR } from '../../src/frame/lang/fr.js';
import { postAgentMessage } from '../../src/hub/conversations/service.js';
import { intruders, XSS_CORPUS, type MarkupNode } from '../frame/xss.js';
import { agentServer } from '../hub/conversations/agent-server.js';
import { startWorld, watchedPage, widgetFrame, type World } from './harness.js';

describe('a live conversation in Chromium', () => {
  let world: World;
  let agent: Awaited<ReturnType<typeof agentServer>>;
  beforeAll(async () => {
    // Each test is a new visitor's conversation, from one address: more than the per-address limit lets in a minute.
    world = await startWorld('shipped', { conversationRateLimitIp: 0 });
    agent = await agentServer({ kind: 'stream' });
    // The demo site's key answers with this webhook agent from now on.
    const created = await world.hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Scout', webhook_url: agent.url } });
    await world.hub.api(`/api/v1/widget-keys/${world.key.id}`, { method: 'PATCH', body: { agent_id: created.body.id } });
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await world?.close();
  });

  /** The demo site in a fresh browser context (its own storage), the panel open. */
  async function openChat(page?: Page) {
    const w = page ? { page, pageErrors: [] as string[] } : await watchedPage(world.browser);
    await w.page.goto(world.allowed.url + '/');
    const { frame } = await widgetFrame(w.page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    const log = frame.getByRole('log');
    const say = async (text: string) => {
      await frame.getByRole('textbox').fill(text);
      await frame.getByRole('textbox').press('Enter');
    };
    return { ...w, frame, log, say, agentBubbles: frame.locator('.kv-agent .kv-body') };
  }

  /** The frame document itself (for storage and the DOM as Chromium built it). */
  const frameOf = (page: Page): Frame => page.frames().find((f) => f.url().startsWith(world.hub.url + '/widget/v1/frame'))!;

  /** The stored conversation of this browser context, as the hub has it. */
  async function storedConversation(page: Page) {
    // The frame's one entry (src/frame/chat.ts conversationKey), whatever widget key id it is under.
    const id = await frameOf(page).evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith('kataven:conversation:'))?.[1] ?? null);
    expect(id).toMatch(/^conv_/);
    const rows = await world.hub.store.db.selectFrom('messages').select(['role', 'text', 'status']).where('conversation_id', '=', id!).orderBy('created_seq').execute();
    return { id: id!, messages: rows.map((r) => [r.role, r.text, r.status]) };
  }

  it('grows the reply bubble as the agent streams, before the reply completes', async () => {
    agent.setMode({ kind: 'stream' });
    const c = await openChat();
    await c.say('What tent for two?');
    const s = await agent.nextStream();
    s.delta('The **Ridge 2** ');
    const reply = c.frame.locator('.kv-agent.kv-streaming .kv-body');
    await expect.poll(() => reply.textContent()).toBe('The Ridge 2');
    s.delta('weighs 1.9 kg');
    await expect.poll(() => reply.textContent()).toBe('The Ridge 2 weighs 1.9 kg');
    // Still streaming: the agent has not said it is done.
    expect(await c.frame.locator('.kv-agent.kv-streaming').count()).toBe(1);
    s.delta(' and packs small.');
    s.done();
    await expect.poll(() => c.frame.locator('.kv-agent.kv-streaming').count()).toBe(0);
    expect(await c.agentBubbles.last().textContent()).toBe('The Ridge 2 weighs 1.9 kg and packs small.');
    expect(await c.agentBubbles.last().locator('strong').textContent()).toBe('Ridge 2');
    expect(c.pageErrors).toEqual([]);
    await c.page.context().close();
  });

  it('retries a failed reply with Retry: one visitor message, one reply, in the stored conversation', async () => {
    agent.setMode({ kind: 'status', status: 500 });
    const c = await openChat();
    await c.say('Where is my order?');
    const retry = c.frame.getByRole('button', { name: 'Retry' });
    await retry.waitFor();
    agent.setMode({ kind: 'json', reply: 'It ships tomorrow.' });
    await retry.click();
    await expect.poll(() => c.agentBubbles.last().textContent()).toBe('It ships tomorrow.');
    const { id, messages } = await storedConversation(c.page);
    expect(messages).toEqual([
      ['visitor', 'Where is my order?', 'completed'],
      ['agent', '', 'failed'],
      ['agent', 'It ships tomorrow.', 'completed'],
    ]);
    expect(agent.requests.filter((r) => r.body.conversation_id === id).map((r) => r.body.message.text)).toEqual(['Where is my order?', 'Where is my order?']);
    // On screen as stored: the question once, the failed reply marked (no Retry left), the answer.
    expect(await c.frame.locator('.kv-visitor').count()).toBe(1);
    expect(await retry.count()).toBe(0);
    expect(await c.frame.locator('.kv-agent.kv-failed').count()).toBe(1);
    await c.page.context().close();
  });

  it("hides a failed reply's Retry while a person answers, and a handed-back agent takes it up", async () => {
    agent.setMode({ kind: 'status', status: 500 });
    const c = await openChat();
    await c.say('Where is my order?');
    const retry = c.frame.getByRole('button', { name: 'Retry' });
    await retry.waitFor();
    const { id } = await storedConversation(c.page);
    await world.hub.api(`/api/v1/conversations/${id}`, { method: 'PATCH', body: { taken_over_by: 'Sam' } });
    await expect.poll(() => c.frame.locator('.kv-answerer').isVisible()).toBe(true);
    // Out of sight and out of the accessibility tree: no button a screen reader could find.
    expect(await retry.isVisible()).toBe(false);
    expect(await retry.count()).toBe(0);
    expect(await c.frame.locator('.kv-agent.kv-failed .kv-note').isVisible()).toBe(true);
    agent.setMode({ kind: 'json', reply: 'It ships tomorrow.' });
    await world.hub.api(`/api/v1/conversations/${id}`, { method: 'PATCH', body: { taken_over_by: null } });
    await retry.waitFor();
    await retry.click();
    await expect.poll(() => c.agentBubbles.last().textContent()).toBe('It ships tomorrow.');
    expect(c.pageErrors).toEqual([]);
    await c.page.context().close();
  });

  it("tells a French visitor in French that the reply failed, not in the hub's English sentence", async () => {
    agent.setMode({ kind: 'status', status: 500 });
    const w = await watchedPage(world.browser);
    await w.page.setExtraHTTPHeaders({ 'accept-language': 'fr-FR,fr;q=0.9' });
    await w.page.goto(world.allowed.url + '/');
    const { frame } = await widgetFrame(w.page, world.hub.url);
    await frame.getByRole('button', { name: FR.openChat('Scout') }).click();
    await frame.getByRole('textbox', { name: FR.composerLabel('Scout') }).fill('Où est ma commande ?');
    await frame.getByRole('textbox', { name: FR.composerLabel('Scout') }).press('Enter');
    await frame.getByRole('button', { name: FR.retry }).waitFor();
    expect(await frame.locator('.kv-agent.kv-failed .kv-note').textContent()).toBe(FR.replyFailed('Scout') + FR.retry);
    expect(w.pageErrors).toEqual([]);
    await w.page.context().close();
  });

  it('a person takes over: the French visitor reads who answers, nobody shows as typing, the agent is not called; handed back, it answers', async () => {
    agent.setMode({ kind: 'json', reply: 'Scout again' });
    const w = await watchedPage(world.browser);
    await w.page.setExtraHTTPHeaders({ 'accept-language': 'fr-FR,fr;q=0.9' });
    await w.page.goto(world.allowed.url + '/');
    const { frame } = await widgetFrame(w.page, world.hub.url);
    await frame.getByRole('button', { name: FR.openChat('Scout') }).click();
    const box = frame.getByRole('textbox', { name: FR.composerLabel('Scout') });
    await box.fill('Bonjour');
    await box.press('Enter');
    await expect.poll(() => frame.locator('.kv-agent .kv-body').last().textContent()).toBe('Scout again');
    const { id } = await storedConversation(w.page);
    const asked = () => agent.requests.filter((r) => r.body.conversation_id === id).length;
    expect(asked()).toBe(1);

    await world.hub.api(`/api/v1/conversations/${id}`, { method: 'PATCH', body: { taken_over_by: 'Sam' } });
    const who = frame.locator('.kv-answerer');
    await expect.poll(() => who.textContent()).toBe(FR.chattingWith('Sam'));
    // The dialog's name stays the agent's; the line under it is its description.
    const dialog = frame.getByRole('dialog');
    expect([await dialog.getAttribute('aria-labelledby'), await dialog.getAttribute('aria-describedby')]).toEqual(['kv-title', 'kv-answerer']);
    // The message box names who reads it now.
    const toSam = frame.getByRole('textbox', { name: FR.composerLabel('Sam') });
    await toSam.fill('Une personne ?');
    await toSam.press('Enter');
    await expect.poll(() => frame.locator('.kv-visitor').count()).toBe(2);
    // Right after sending: no "Scout écrit…" for an agent that is not called.
    expect(await frame.locator('.kv-typing').isVisible()).toBe(false);
    await world.hub.api(`/api/v1/conversations/${id}/messages`, { method: 'POST', body: { text: 'Oui, Sam ici.', author_name: 'Sam' } });
    await expect.poll(() => frame.locator('.kv-person .kv-body').last().textContent()).toBe('Oui, Sam ici.');
    expect(asked()).toBe(1);

    await world.hub.api(`/api/v1/conversations/${id}`, { method: 'PATCH', body: { taken_over_by: null } });
    await expect.poll(() => who.isVisible()).toBe(false);
    await box.fill('Merci');
    await box.press('Enter');
    await expect.poll(() => frame.locator('.kv-agent .kv-body').count()).toBe(3);
    expect(asked()).toBe(2);
    expect(w.pageErrors).toEqual([]);
    await w.page.context().close();
  });

  it('brings a reply that was streaming during a reload, to its end', async () => {
    agent.setMode({ kind: 'stream' });
    const c = await openChat();
    await c.say('Tell me about the packs');
    const s = await agent.nextStream();
    s.delta('The Trail 30 ');
    await expect.poll(() => c.agentBubbles.last().textContent()).toBe('The Trail 30');
    await c.page.reload();
    const { frame } = await widgetFrame(c.page, world.hub.url);
    await frame.getByRole('button', { name: /open chat/i }).click();
    const bubbles = frame.locator('.kv-agent .kv-body');
    await expect.poll(() => bubbles.last().textContent()).toBe('The Trail 30');
    s.delta('has a rain cover.');
    s.done();
    await expect.poll(() => frame.locator('.kv-agent.kv-streaming').count()).toBe(0);
    expect(await bubbles.last().textContent()).toBe('The Trail 30 has a rain cover.');
    // The greeting and the one reply: nothing twice after the resume.
    expect(await bubbles.count()).toBe(2);
    expect(await frame.locator('.kv-visitor').count()).toBe(1);
    await c.page.context().close();
  });

  it('shows the reply in a second tab of the same browser', async () => {
    agent.setMode({ kind: 'stream' });
    const first = await openChat();
    await first.say('Do you ship to Norway?');
    const s = await agent.nextStream();
    const second = await openChat(await first.page.context().newPage());
    await expect.poll(() => second.frame.locator('.kv-visitor').textContent()).toContain('Do you ship to Norway?');
    s.delta('Yes, in three days.');
    s.done();
    for (const tab of [first, second]) {
      await expect.poll(() => tab.agentBubbles.last().textContent()).toBe('Yes, in three days.');
      await expect.poll(() => tab.frame.locator('.kv-agent.kv-streaming').count()).toBe(0);
    }
    await first.page.context().close();
  });

  it('counts a reply that arrives while the panel is closed on the launcher, and clears it on open', async () => {
    agent.setMode({ kind: 'stream' });
    const c = await openChat();
    await c.say('Any discounts?');
    const s = await agent.nextStream();
    await c.page.evaluate(() => (window as any).Kataven('close'));
    const launcher = c.frame.getByRole('button', { name: /open chat/i });
    await expect.poll(() => launcher.getAttribute('aria-label')).toBe('Open chat with Scout');
    s.delta('10% off tents this week.');
    s.done();
    const badge = c.frame.locator('.kv-badge');
    await expect.poll(() => badge.textContent()).toBe('1');
    expect(await badge.isVisible()).toBe(true);
    expect(await launcher.getAttribute('aria-label')).toBe('Open chat with Scout, 1 new message');
    await launcher.click();
    await expect.poll(() => badge.isVisible()).toBe(false);
    expect(await c.agentBubbles.last().textContent()).toBe('10% off tents this week.');
    await c.page.context().close();
  });

  it("tells the page of each completed reply through Kataven('on', 'message')", async () => {
    agent.setMode({ kind: 'stream' });
    const c = await openChat();
    await c.page.evaluate(() => {
      const w = window as any;
      w.heard = [];
      w.Kataven('on', 'message', (m: { role: string; text: string }) => w.heard.push({ role: m.role, text: m.text }));
    });
    const heard = () => c.page.evaluate(() => (window as any).heard as Array<{ role: string; text: string }>);
    await c.say('Hello');
    const s = await agent.nextStream();
    s.delta('Hi, **welcome**.');
    await expect.poll(() => c.agentBubbles.last().textContent()).toBe('Hi, welcome.');
    // Not while it streams: only the completed message, as written (markdown).
    expect(await heard()).toEqual([]);
    s.done();
    await expect.poll(heard).toEqual([{ role: 'agent', text: 'Hi, **welcome**.' }]);
    await c.page.context().close();
  });

  it('renders the markdown XSS corpus in the real frame with no element or attribute it did not mean to make', async () => {
    agent.setMode({ kind: 'accepted' });
    const c = await openChat();
    const dialogs: string[] = [];
    const violations: string[] = [];
    c.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    c.page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
    });
    const scripts = await frameOf(c.page).evaluate(() => document.scripts.length);
    await c.say('Show me everything');
    await expect.poll(() => agent.requests.at(-1)?.body.message.text).toBe('Show me everything');
    const { id } = await storedConversation(c.page);
    // The agent answered 202; it (or a person) writes back later, one message per payload.
    for (const text of XSS_CORPUS) await postAgentMessage(world.hub.ctx, id, { text, author_name: null, role: 'agent' });
    await expect.poll(() => c.agentBubbles.count(), { timeout: 15_000 }).toBe(XSS_CORPUS.length + 1);
    // Each bubble's tree as Chromium built it, copied out as plain data for the same rule as the unit test.
    const trees = await c.agentBubbles.evaluateAll((bodies) => {
      const copy = (n: Node): any => ({
        nodeType: n.nodeType,
        tagName: (n as Element).tagName,
        attributes: n.nodeType == 1 ? [...(n as Element).attributes].map((a) => ({ name: a.name, value: a.value })) : [],
        childNodes: [...n.childNodes].map(copy),
      });
      return bodies.map((b) => ({ tree: copy(b) as unknown, text: b.textContent }));
    });
    const replies = trees.slice(1);
    const found = replies.map((r, i) => ({ payload: XSS_CORPUS[i], bad: intruders(r.tree as MarkupNode) }));
    expect(found.filter((f) => f.bad.length)).toEqual([]);
    // The copies are the real trees: the corpus's safe links are links there.
    expect(await c.agentBubbles.locator('a[href^="https://x.test/"][rel="noopener noreferrer"]').count()).toBeGreaterThan(0);
    // HTML shows as its characters, not dropped.
    expect(replies[XSS_CORPUS.indexOf('<script>alert(1)</script>')]!.text).toBe('<script>alert(1)</script>');
    expect(replies[XSS_CORPUS.indexOf('<img src=x onerror=alert(1)>')]!.text).toBe('<img src=x onerror=alert(1)>');
    expect(await frameOf(c.page).evaluate(() => document.scripts.length)).toBe(scripts);
    expect(dialogs).toEqual([]);
    expect(violations).toEqual([]);
    expect(c.pageErrors).toEqual([]);
    await c.page.context().close();
  });
});
