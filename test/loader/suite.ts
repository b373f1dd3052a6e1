/**
 * The loader's behaviour, as claims. Run twice: against the TypeScript source (source.test.ts) and
 * against the minified dist/loader.js evaluated in the page (dist.test.ts). Every failure path goes
 * through expectCleanFailure: nothing thrown, no unhandled rejection, no iframe, one warning.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HANDSHAKE_PATH } from '../../src/protocol/handshake.js';
import type { HandshakeErrorType } from '../../src/protocol/handshake.js';
import { FRAME_PATH } from '../../src/protocol/frame.js';
import { FULL_SCREEN_BELOW, LAUNCHER_BOX, LAUNCHER_INSET, PANEL_HEIGHT, PANEL_WIDTH } from '../../src/protocol/geometry.js';
import { HUB, KEY, PAGE, SESSION, SRC, createPage, defineStub, json, strictStyleCsp, type Load, type Page } from './harness.js';

type Detail = { type: string; message: string } | undefined;

const px = (n: number) => n + 'px';
const BOX = px(LAUNCHER_BOX);
const INSET = px(LAUNCHER_INSET);

/** `run.inPageRealm`: the loader's code runs in the page's own JavaScript realm, as a browser runs it. */
export function loaderSuite(run: { inPageRealm: boolean }, load: Load): void {
  let page: Page;
  const open = (opts?: { width?: number }) => (page = createPage(load, opts));
  const kataven = () => (page.win as unknown as { Kataven?: unknown }).Kataven;
  /** The iframe is mounted at once; its title names the agent once the handshake has answered. */
  const answered = () => page.iframes().length === 1 && page.iframe().title.startsWith('Chat with');

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(async () => {
    await page?.close();
    vi.useRealTimers();
  });

  /** Boots a page with the default tag and a granting hub, up to a mounted iframe. */
  async function mounted(data?: Record<string, string>, opts?: { width?: number }) {
    open(opts);
    page.load(page.tag(data));
    await page.until(answered, 'the iframe and the handshake');
    return page;
  }

  /** …then plays the frame up to `ready`. */
  async function ready(data?: Record<string, string>, opts?: { width?: number }) {
    await mounted(data, opts);
    const frame = page.frame();
    frame.load();
    await frame.send({ v: 1, type: 'ready' }, () => page.iframe().style.visibility !== 'hidden');
    return frame;
  }

  /** Records what handlers receive, by event name. */
  function listen(...names: string[]) {
    const seen: { name: string; detail: Detail }[] = [];
    for (const name of names) page.call('on', name, (detail: Detail) => seen.push({ name, detail }));
    return seen;
  }

  /** The failure contract: nothing escaped, nothing left behind, one warning naming the cause. */
  async function expectCleanFailure(text: string | RegExp) {
    await page.settle();
    expect(page.errors).toEqual([]);
    expect(page.rejections).toEqual([]);
    expect(page.iframes()).toHaveLength(0);
    const ours = page.warnings.filter((w) => w.startsWith('[kataven] '));
    expect(ours).toHaveLength(1);
    expect(page.warnings).toHaveLength(1);
    expect(ours[0]).toMatch(text);
  }

  describe('config', () => {
    it('posts the key from its own tag to the hub of its own src', async () => {
      open();
      page.load(page.tag());
      await page.settle();
      expect(page.requests).toHaveLength(1);
      expect(page.requests[0]!.url).toBe(HUB + HANDSHAKE_PATH);
      expect(JSON.parse(page.requests[0]!.init.body as string)).toEqual({ client_key: KEY });
    });

    it('keeps the port of its src in the hub origin', async () => {
      open();
      page.load(page.tag(undefined, 'https://hub.example:8443/widget/v1/loader.js?v=1'));
      await page.settle();
      expect(page.requests[0]!.url).toBe('https://hub.example:8443' + HANDSHAKE_PATH);
    });

    it('sends a CORS simple request: text/plain body, no custom header, no cookies to the hub', async () => {
      open();
      page.load(page.tag());
      await page.settle();
      const { url, init } = page.requests[0]!;
      expect(init.method).toBe('POST');
      expect(init.headers).toBeUndefined();
      expect(typeof init.body).toBe('string');
      // What the browser will put on the wire for this init: cookies only for the page's own origin,
      // and the hub is on another.
      const request = new Request(url, init);
      expect(request.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
      expect(request.credentials).toBe('same-origin');
      expect(new URL(url).origin).not.toBe(page.win.location.origin);
    });

    it('reads its own tag, not an earlier one with data-client-key', async () => {
      open();
      // Another vendor's tag using the same attribute name, earlier in the page.
      page.tag({ clientKey: 'other-vendor-key' }, 'https://pay.example/snap.js');
      page.load(page.tag());
      await page.settle();
      expect(page.requests.map((r) => [r.url, JSON.parse(r.init.body as string).client_key])).toEqual([
        [HUB + HANDSHAKE_PATH, KEY],
      ]);
    });

    it('finds its tag by data-client-key when currentScript is null', async () => {
      open();
      page.tag();
      page.load(null);
      await page.settle();
      expect(page.requests).toHaveLength(1);
      expect(page.warnings).toEqual([]);
    });

    it('sits bottom right by default and bottom left with data-position=left', async () => {
      await mounted();
      expect(page.iframe().style.right).toBe(INSET);
      // The other side is left to `inset: auto` (happy-dom keeps the shorthand unexpanded).
      expect(page.iframe().style.left).toMatch(/^(auto)?$/);
      await page.close();
      await mounted({ clientKey: KEY, position: 'left' });
      expect(page.iframe().style.left).toBe(INSET);
      expect(page.iframe().style.right).toMatch(/^(auto)?$/);
      expect(page.iframe().style.bottom).toBe(INSET);
    });

    it('tells the frame its side, where the frame draws the launcher', async () => {
      await mounted({ clientKey: KEY, position: 'left' });
      const frame = page.frame();
      frame.load();
      await page.until(() => frame.received.length === 1, 'the session');
      expect(frame.received[0]).toMatchObject({ type: 'session', side: 'left' });
    });

    it('asks the frame to open with data-open=true, before the session', async () => {
      await mounted({ clientKey: KEY, open: 'true' });
      const frame = page.frame();
      frame.load();
      await page.until(() => frame.received.length === 2, 'the command and the session');
      expect(frame.received.map((m) => m.type)).toEqual(['command', 'session']);
      expect(frame.commands()).toEqual([['open']]);
      expect(frame.sessions()[0]!.narrow).toBe(false);
    });

    it('tells the frame when the viewport is narrower than the full-screen breakpoint', async () => {
      await mounted({ clientKey: KEY, open: 'true' }, { width: FULL_SCREEN_BELOW - 1 });
      const frame = page.frame();
      frame.load();
      await page.until(() => frame.sessions().length === 1, 'the session');
      // data-open on a phone would cover the page while focus stays in a host field: the frame keeps the
      // launcher (test/frame/panel.test.ts), and the loader stays launcher-sized until it says otherwise.
      expect(frame.sessions()[0]!.narrow).toBe(true);
      expect(page.iframe().style.width).toBe(BOX);
    });

    it('starts closed without data-open', async () => {
      await mounted();
      const frame = page.frame();
      frame.load();
      await page.until(() => frame.sessions().length === 1, 'the session');
      expect(frame.commands()).toEqual([]);
      expect(page.iframe().style.width).toBe(BOX);
    });

    it('stays out with one warning when data-client-key is missing', async () => {
      open();
      page.load(page.tag({ position: 'left' }));
      await expectCleanFailure(/data-client-key/);
      expect(page.requests).toHaveLength(0);
      expect(kataven()).toBeUndefined();
    });

    it('stays out with one warning when no tag can be found', async () => {
      open();
      page.load(null);
      await expectCleanFailure(/data-client-key/);
      expect(page.requests).toHaveLength(0);
    });

    it('stays out with one warning naming MessageChannel when the page has none', async () => {
      open();
      delete (page.win as unknown as Record<string, unknown>).MessageChannel;
      page.load(page.tag());
      await expectCleanFailure(/widget not shown: .*MessageChannel/);
      expect(page.requests).toHaveLength(0);
    });

    it('ends quietly as network_error when the page has no fetch', async () => {
      open();
      (page.win as unknown as Record<string, unknown>).fetch = undefined;
      // The failure comes within load() itself, so the handler goes through the stub's queue.
      defineStub(page);
      const seen = listen('error');
      expect(() => page.load(page.tag())).not.toThrow();
      await expectCleanFailure(/could not reach .*\(network_error\)/);
      expect(seen.map((s) => s.detail?.type)).toEqual(['network_error']);
    });
  });

  describe('queue', () => {
    it('replays the stub queue in order', async () => {
      open();
      defineStub(page);
      const calls: string[] = [];
      page.call('on', 'ready', () => calls.push('ready'));
      page.call('on', 'open', () => calls.push('open'));
      page.call('open');
      page.call('close');
      page.call('toggle');
      page.load(page.tag());
      await page.until(answered, 'the iframe and the handshake');
      const frame = page.frame();
      frame.load();
      await page.until(() => frame.sessions().length === 1, 'the session');
      // In the order given, all before the session: the frame folds them into one wish (close then toggle: open).
      expect(frame.commands()).toEqual([['open'], ['close'], ['toggle']]);
      expect(frame.received.at(-1)!.type).toBe('session');
      await frame.send({ v: 1, type: 'ready' }, () => calls.length === 1);
      await frame.send({ v: 1, type: 'state', open: true }, () => calls.length === 2);
      expect(calls).toEqual(['ready', 'open']);
    });

    it('warns about each bad queued command and goes on, passing unknown names to the frame', async () => {
      open();
      defineStub(page);
      const seen: string[] = [];
      page.call('bogus');
      page.call('on', 'ready');
      page.call('on', 'ready', () => seen.push('ready'));
      page.call('hasOwnProperty');
      page.call('context', () => {});
      page.load(page.tag());
      await page.until(answered, 'the iframe and the handshake');
      // `on` without a function and an argument that cannot be cloned are the loader's to refuse; a
      // name it does not serve is the frame's to judge (it warns in the same words: test/frame/panel.test.ts).
      expect(page.warnings).toEqual(['[kataven] ignored Kataven(on)', '[kataven] ignored Kataven(context)']);
      const frame = page.frame();
      frame.load();
      await page.until(() => frame.sessions().length === 1, 'the session');
      expect(frame.commands()).toEqual([['bogus'], ['hasOwnProperty']]);
      await frame.send({ v: 1, type: 'ready' }, () => seen.length === 1);
    });

    it('treats names of Object.prototype members as unknown commands and events', async () => {
      const frame = await ready();
      for (const name of ['toString', 'constructor', '__proto__', 'valueOf']) {
        expect(() => page.call(name, 'ready', () => {})).not.toThrow();
        expect(() => page.call('on', name, () => {})).not.toThrow();
      }
      // As events they are refused here; as commands they are passed on to the frame, which knows none
      // of them (only their first argument goes along).
      expect(page.warnings).toEqual(Array(4).fill('[kataven] ignored Kataven(on)'));
      await page.until(() => frame.commands().length === 4, 'the commands');
      expect(frame.commands()).toEqual([
        ['toString', 'ready'],
        ['constructor', 'ready'],
        ['__proto__', 'ready'],
        ['valueOf', 'ready'],
      ]);
      expect(page.errors).toEqual([]);
    });
  });

  describe('mount', () => {
    it('mounts a titled, sandboxed iframe on the frame URL of its key and page origin, outside <body>', async () => {
      await mounted();
      const f = page.iframe();
      expect(f.getAttribute('src')).toBe(HUB + FRAME_PATH + '?k=' + KEY + '&o=' + PAGE);
      // The hub's title, in the visitor's language: the loader adds no words of its own.
      expect(f.title).toBe(SESSION.agent.title);
      expect(f.getAttribute('sandbox')).toBe('allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox');
      expect(f.getAttribute('allow')).toBe('clipboard-write');
      // On <html>: a transformed body would otherwise be the containing block of the fixed iframe.
      expect(f.parentNode).toBe(page.doc.documentElement);
    });

    it('mounts the hidden frame before the hub answers, so both load at once', async () => {
      open();
      let answer!: (r: Response) => void;
      page.hub = () => new Promise((r) => (answer = r));
      page.load(page.tag());
      expect(page.iframes()).toHaveLength(1);
      expect(page.iframe().style.visibility).toBe('hidden');
      expect(page.requests).toHaveLength(1);
      const frame = page.frame();
      frame.load();
      await page.settle();
      // Loaded: the port is handed over, but no session goes on it before the handshake allows it.
      expect(frame.posted).toHaveLength(1);
      expect(frame.received).toEqual([]);
      answer(json(200, SESSION));
      await page.until(() => frame.sessions().length === 1, 'the session once the hub answered');
      expect(frame.sessions()[0]!.session_token).toBe(SESSION.session_token);
    });

    it('styles the iframe fixed, borderless, normal color-scheme, on top', async () => {
      await mounted();
      const s = page.iframe().style;
      expect(s.position).toBe('fixed');
      expect(s.bottom).toBe(INSET);
      expect(s.right).toBe(INSET);
      expect(s.borderWidth || s.border).toMatch(/^0px/);
      expect(s.colorScheme).toBe('normal');
      expect(s.zIndex).toBe('2147483000');
    });

    it('writes no style attribute string and no cssText (strict style CSP)', async () => {
      open();
      const violations = strictStyleCsp(page);
      page.load(page.tag());
      await page.until(answered, 'the iframe and the handshake');
      const frame = page.frame();
      frame.load();
      await frame.send({ v: 1, type: 'ready' }, () => page.iframe().style.visibility !== 'hidden');
      await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width === px(PANEL_WIDTH));
      expect(page.iframe().getAttribute('style')).toContain('position: fixed');
      expect(violations).toEqual([]);
    });

    it('keeps the iframe hidden until the frame says ready', async () => {
      await mounted();
      const f = page.iframe();
      expect(f.style.visibility).toBe('hidden');
      const frame = page.frame();
      frame.load();
      await page.settle();
      expect(f.style.visibility).toBe('hidden');
      await frame.send({ v: 1, type: 'ready' }, () => f.style.visibility !== 'hidden');
      // Shown as it was hidden, !important: a page rule hiding iframes does not hide the widget.
      expect([f.style.visibility, f.style.getPropertyPriority('visibility')]).toEqual(['visible', 'important']);
    });

    it('mounts at once from a tag in <head> that runs before <body> exists', async () => {
      open();
      const body = page.doc.body;
      body.remove();
      expect(page.doc.body).toBeNull();
      const seen = [] as string[];
      page.load(page.tag());
      page.call('on', 'error', () => seen.push('error'));
      await page.until(answered, 'the iframe and the handshake');
      expect(page.iframe().parentNode).toBe(page.doc.documentElement);
      // The page's body, parsed later, goes in beside it.
      page.doc.documentElement.appendChild(body);
      expect(page.iframes()).toHaveLength(1);
      expect(seen).toEqual([]);
      expect(page.errors).toEqual([]);
      expect(page.warnings).toEqual([]);
    });

    it('writes every style !important, so page rules cannot resize or restyle it', async () => {
      await mounted();
      const s = page.iframe().style;
      for (const name of ['position', 'inset', 'bottom', 'right', 'width', 'height', 'max-height', 'max-width', 'margin', 'border', 'z-index', 'visibility']) {
        expect([name, s.getPropertyPriority(name)]).toEqual([name, 'important']);
      }
    });
  });

  describe('sizing', () => {
    it('is the launcher box, inset from the corner, while closed', async () => {
      await ready();
      const s = page.iframe().style;
      expect([s.width, s.height, s.bottom, s.right]).toEqual([BOX, BOX, INSET, INSET]);
    });

    it('is a PANEL_WIDTH × PANEL_HEIGHT panel in the corner, never taller than the viewport, while open', async () => {
      const frame = await ready();
      await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width === px(PANEL_WIDTH));
      const s = page.iframe().style;
      // In the corner itself: max-width and max-height of 100% then keep it inside the viewport.
      expect([s.width, s.height, s.maxHeight, s.bottom, s.right]).toEqual([px(PANEL_WIDTH), px(PANEL_HEIGHT), '100%', '0px', '0px']);
    });

    it('opens full screen on a viewport narrower than 480 px', async () => {
      const frame = await ready(undefined, { width: 390 });
      await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width !== BOX);
      const s = page.iframe().style;
      // As tall as the visual viewport: here, with no keyboard up, the window's 800 px.
      expect([s.width, s.height, s.bottom, s.right]).toEqual(['100%', '800px', '0px', '0px']);
    });

    it('fits the full-screen panel above an on-screen keyboard, and fills the screen again when it goes', async () => {
      const frame = await ready(undefined, { width: 390 });
      await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width === '100%');
      const s = page.iframe().style;
      page.keyboard(300);
      // At the layout viewport's bottom, where the browser pans the visual viewport to show the composer.
      expect([s.height, s.bottom]).toEqual(['500px', '0px']);
      page.keyboard(0);
      expect(s.height).toBe('800px');
    });

    it('keeps the closed launcher and the desktop panel their size when the visual viewport shrinks', async () => {
      const frame = await ready();
      page.keyboard(300);
      expect(page.iframe().style.height).toBe(BOX);
      await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width === px(PANEL_WIDTH));
      expect(page.iframe().style.height).toBe(px(PANEL_HEIGHT));
    });

    it('follows window resizes while open', async () => {
      const frame = await ready();
      await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width === px(PANEL_WIDTH));
      page.win.happyDOM.setViewport({ width: 400 });
      expect(page.iframe().style.width).toBe('100%');
      page.win.happyDOM.setViewport({ width: 1024 });
      expect(page.iframe().style.width).toBe(px(PANEL_WIDTH));
    });

    it('makes the host body inert while full screen, and live again when the panel closes', async () => {
      const frame = await ready(undefined, { width: 390 });
      expect(page.doc.body.inert).toBe(false);
      await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width === '100%');
      expect(page.doc.body.inert).toBe(true);
      await frame.send({ v: 1, type: 'state', open: false }, () => page.iframe().style.width === BOX);
      expect(page.doc.body.inert).toBe(false);
    });

    it('leaves the host body live under the panel on a wide viewport', async () => {
      const frame = await ready();
      await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width === px(PANEL_WIDTH));
      expect(page.doc.body.inert).toBe(false);
    });

    it('shrinks back to the launcher when the frame closes', async () => {
      const frame = await ready(undefined, { width: 390 });
      await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width === '100%');
      await frame.send({ v: 1, type: 'state', open: false }, () => page.iframe().style.width === BOX);
      expect(page.iframe().style.height).toBe(BOX);
    });
  });

  describe('handover', () => {
    it('posts init to the iframe window, to the exact hub origin, with a transferred port, then the session on it', async () => {
      await mounted();
      const frame = page.frame();
      frame.load();
      expect(frame.posted).toHaveLength(1);
      const { data, targetOrigin, transfer } = frame.posted[0]!;
      expect(targetOrigin).toBe(HUB);
      expect(transfer).toHaveLength(1);
      expect(transfer[0]).toBeInstanceOf(MessagePort);
      expect(data).toEqual({ v: 1, type: 'init' });
      await page.until(() => frame.received.length === 1, 'the session');
      expect(frame.received[0]).toMatchObject({
        v: 1,
        type: 'session',
        session_token: SESSION.session_token,
        expires_at: SESSION.expires_at,
        agent: SESSION.agent,
        narrow: false,
        side: 'right',
      });
    });

    it('keeps the session token out of every URL and every window message', async () => {
      const frame = await ready();
      const urls = [...page.requests.map((r) => r.url), page.iframe().src, page.win.location.href, SRC];
      for (const url of urls) expect(url).not.toContain(SESSION.session_token);
      expect(JSON.stringify(frame.posted.map((p) => p.data))).not.toContain(SESSION.session_token);
      expect(frame.sessions()[0]!.session_token).toBe(SESSION.session_token);
    });

    it('ignores a hello from another origin', async () => {
      await mounted();
      const frame = page.frame();
      frame.hello({ origin: 'https://evil.example' });
      frame.hello({ origin: 'https://shop.example' });
      frame.hello({ origin: HUB + ':443x' });
      await page.settle();
      expect(frame.posted).toHaveLength(0);
    });

    it('ignores a look-alike hello from another window', async () => {
      await mounted();
      const frame = page.frame();
      const other = { postMessage: vi.fn() };
      frame.hello({ source: other });
      frame.hello({ source: null });
      frame.hello({ source: page.win });
      await page.settle();
      expect(frame.posted).toHaveLength(0);
      expect(other.postMessage).not.toHaveBeenCalled();
    });

    it('ignores messages of the wrong shape', async () => {
      await mounted();
      const frame = page.frame();
      for (const data of [null, 'hello', { type: 'hello' }, { v: 2, type: 'hello' }, { v: '1', type: 'hello' }, { v: 1, type: 'ready' }]) {
        frame.hello({ data });
      }
      await page.settle();
      expect(frame.posted).toHaveLength(0);
      expect(page.errors).toEqual([]);
    });

    it('hands the port and the session over once', async () => {
      await mounted();
      const frame = page.frame();
      frame.load();
      frame.load();
      await page.settle();
      expect(frame.posted).toHaveLength(1);
      expect(frame.sessions()).toHaveLength(1);
      expect(page.errors).toEqual([]);
    });

    it("leaves the page's own onmessage and message listeners in place", async () => {
      open();
      const pageSaw: unknown[] = [];
      const onmessage = (e: { data: unknown }) => pageSaw.push(e.data);
      (page.win as unknown as { onmessage: unknown }).onmessage = onmessage;
      page.load(page.tag());
      await page.until(answered, 'the iframe and the handshake');
      const frame = page.frame();
      frame.hello();
      frame.load();
      expect((page.win as unknown as { onmessage: unknown }).onmessage).toBe(onmessage);
      expect(pageSaw).toEqual([{ v: 1, type: 'hello' }]);
      expect(frame.posted).toHaveLength(1);
    });
  });

  describe('events and commands', () => {
    it('emits ready when the frame is ready', async () => {
      await mounted();
      const seen = listen('ready');
      const frame = page.frame();
      frame.load();
      await frame.send({ v: 1, type: 'ready' }, () => seen.length === 1);
      expect(seen).toEqual([{ name: 'ready', detail: undefined }]);
    });

    it('emits open and close as the frame reports them', async () => {
      const frame = await ready();
      const seen = listen('open', 'close');
      await frame.send({ v: 1, type: 'state', open: true }, () => seen.length === 1);
      await frame.send({ v: 1, type: 'state', open: false }, () => seen.length === 2);
      expect(seen.map((s) => s.name)).toEqual(['open', 'close']);
    });

    it('emits an event of the frame with its detail as it is', async () => {
      const frame = await ready();
      const seen = listen('message');
      await frame.send({ v: 1, type: 'event', name: 'message', detail: { role: 'agent', text: '**Hi**' } }, () => seen.length === 1);
      expect(seen).toEqual([{ name: 'message', detail: { role: 'agent', text: '**Hi**' } }]);
    });

    it('sends open, close and toggle to the frame on the port, as they are', async () => {
      const frame = await ready();
      page.call('open');
      page.call('close');
      page.call('toggle');
      await page.until(() => frame.commands().length === 3, 'three commands');
      // The frame knows whether it is open: a toggle stays a toggle.
      expect(frame.received.slice(1)).toEqual([
        { v: 1, type: 'command', name: 'open' },
        { v: 1, type: 'command', name: 'close' },
        { v: 1, type: 'command', name: 'toggle' },
      ]);
    });

    it('passes every command but on, off and destroy to the frame as it is, with its first argument', async () => {
      const frame = await ready();
      const commands = [['open'], ['close'], ['toggle'], ['context', { a: 1 }], ['identify', 'eyJ.token'], ['logout'], ['Open'], ['session', 1]];
      for (const [name, arg] of commands) page.call(name, arg, 'not passed on');
      await page.until(() => frame.commands().length === commands.length, 'the commands');
      expect(frame.commands()).toEqual(commands);
      // None of them can pose as the session: it is a command of that name, after the real one.
      expect(frame.sessions()).toHaveLength(1);
      expect(page.warnings).toEqual([]);
    });

    it('sends context with its object to the frame', async () => {
      const frame = await ready();
      page.call('context', { cart: { items: 2, total: '59.90' }, page: '/tents' });
      await page.until(() => frame.commands().length === 1, 'the command');
      expect(frame.commands()).toEqual([['context', { cart: { items: 2, total: '59.90' }, page: '/tents' }]]);
      expect(page.warnings).toEqual([]);
    });

    it('warns once about a context that cannot be cloned, and throws nothing', async () => {
      const frame = await ready();
      expect(() => page.call('context', { onClick() {} })).not.toThrow();
      expect(() => page.call('context', { id: Symbol('cart') })).not.toThrow();
      page.call('context', { cart: 1 });
      await page.until(() => frame.commands().length === 1, 'the cloneable one');
      expect(frame.commands()).toEqual([['context', { cart: 1 }]]);
      expect(page.warnings).toEqual(['[kataven] ignored Kataven(context)', '[kataven] ignored Kataven(context)']);
      expect(page.errors).toEqual([]);
    });

    it('queues a context given before the loader ran on the port, ahead of the session', async () => {
      open();
      defineStub(page);
      page.call('context', { page: '/tents' });
      page.load(page.tag());
      await page.until(answered, 'the iframe and the handshake');
      // The frame loads only after the handshake here: the context, then the session, waited in the port's queue.
      const frame = page.frame();
      frame.load();
      await page.until(() => frame.received.length === 2, 'the context and the session');
      expect(frame.received.map((m) => m.type)).toEqual(['command', 'session']);
      expect(frame.commands()).toEqual([['context', { page: '/tents' }]]);
    });

    it('queues commands given before the handshake answered ahead of the session, in order', async () => {
      open();
      let answer!: (r: Response) => void;
      page.hub = () => new Promise((r) => (answer = r));
      page.load(page.tag());
      page.call('open');
      page.call('close');
      page.call('context', { a: 1 });
      page.call('toggle');
      const frame = page.frame();
      frame.load();
      answer(json(200, SESSION));
      await page.until(() => frame.sessions().length === 1, 'the session');
      page.call('open');
      await page.until(() => frame.received.length === 6, 'four commands, the session, one more');
      expect(frame.received.map((m) => (m.type === 'command' ? m.name : m.type))).toEqual(['open', 'close', 'context', 'toggle', 'session', 'open']);
    });

    it('sends commands given between the handshake and ready on the port, after the session', async () => {
      await mounted();
      const frame = page.frame();
      frame.load();
      page.call('open');
      await page.until(() => frame.received.length === 2, 'the session and the command');
      expect(frame.received.map((m) => m.type)).toEqual(['session', 'command']);
      expect(frame.commands()).toEqual([['open']]);
    });

    it('off removes a handler and on twice adds it once', async () => {
      await mounted();
      const calls: string[] = [];
      const a = () => calls.push('a');
      const b = () => calls.push('b');
      page.call('on', 'ready', a);
      page.call('on', 'ready', a);
      page.call('on', 'ready', b);
      page.call('off', 'ready', b);
      page.call('on', 'open', b);
      const frame = page.frame();
      frame.load();
      await frame.send({ v: 1, type: 'ready' }, () => calls.length > 0);
      await page.settle();
      expect(calls).toEqual(['a']);
    });

    it('keeps going when a handler throws', async () => {
      await mounted();
      const calls: string[] = [];
      page.call('on', 'ready', () => {
        throw new Error('site bug');
      });
      page.call('on', 'ready', () => calls.push('second'));
      page.call('on', 'open', () => calls.push('open'));
      const frame = page.frame();
      frame.load();
      await frame.send({ v: 1, type: 'ready' }, () => calls.length === 1);
      expect(page.iframe().style.visibility).toBe('visible');
      await frame.send({ v: 1, type: 'state', open: true }, () => calls.length === 2);
      expect(calls).toEqual(['second', 'open']);
      // Reported like an uncaught error in a task of its own (window `error`): the site's bug, not the loader's.
      expect(page.errors).toEqual([expect.objectContaining({ message: 'site bug' })]);
      expect(page.warnings).toEqual([]);
      expect(page.rejections).toEqual([]);
    });

    it('destroy removes the iframe and closes the port; later commands do nothing', async () => {
      const frame = await ready();
      const seen = listen('open', 'close', 'error');
      page.call('destroy');
      expect(page.iframes()).toHaveLength(0);
      page.call('open');
      page.call('destroy');
      await page.settle();
      expect(frame.commands()).toEqual([]);
      vi.advanceTimersByTime(60_000);
      await page.settle();
      expect(seen).toEqual([]);
      expect(page.warnings).toEqual([]);
      expect(page.errors).toEqual([]);
    });

    it('destroy while full screen leaves the host body live and removes its resize listener', async () => {
      const frame = await ready(undefined, { width: 390 });
      await frame.send({ v: 1, type: 'state', open: true }, () => page.doc.body.inert);
      const removed = vi.spyOn((page.win as unknown as { visualViewport: EventTarget }).visualViewport, 'removeEventListener');
      page.call('destroy');
      expect(page.doc.body.inert).toBe(false);
      expect(removed).toHaveBeenCalledWith('resize', expect.any(Function));
    });

    it('destroy before the hub answers mounts nothing', async () => {
      open();
      let answer!: (r: Response) => void;
      page.hub = () => new Promise((r) => (answer = r));
      page.load(page.tag());
      page.call('destroy');
      answer(json(200, SESSION));
      await page.settle();
      vi.advanceTimersByTime(60_000);
      await page.settle();
      expect(page.iframes()).toHaveLength(0);
      expect(page.warnings).toEqual([]);
    });

    it('mounts a fresh widget when the tag is added again after destroy', async () => {
      const first = await ready();
      page.call('destroy');
      expect(page.iframes()).toHaveLength(0);
      page.load(page.tag());
      await page.until(answered, 'the second iframe');
      const second = page.frame();
      second.load();
      await second.send({ v: 1, type: 'ready' }, () => page.iframe().style.visibility !== 'hidden');
      expect(page.requests).toHaveLength(2);
      expect(second.posted).toHaveLength(1);
      expect(first.commands()).toEqual([]);
      expect(page.warnings).toEqual([]);
    });

    it('defines no global but Kataven', async () => {
      open();
      const tag = page.tag();
      const before = new Set(Object.getOwnPropertyNames(page.win));
      page.load(tag);
      await page.until(answered, 'the iframe and the handshake');
      const added = Object.getOwnPropertyNames(page.win).filter((k) => !before.has(k));
      expect(added).toEqual(['Kataven']);
    });
  });

  describe('failures', () => {
    it('warns once when the hub is down', async () => {
      open();
      page.hub = () => Promise.reject(new TypeError('Failed to fetch'));
      page.load(page.tag());
      const seen = listen('error');
      await expectCleanFailure(`[kataven] widget not shown: could not reach ${HUB} (network_error)`);
      expect(seen).toEqual([{ name: 'error', detail: { type: 'network_error', message: expect.stringContaining(HUB) } }]);
    });

    it('warns once when the hub does not answer within 10 s', async () => {
      open();
      page.hub = () => new Promise(() => {});
      page.load(page.tag());
      const seen = listen('error');
      await page.settle();
      vi.advanceTimersByTime(9_999);
      await page.settle();
      expect(page.warnings).toEqual([]);
      vi.advanceTimersByTime(1);
      await expectCleanFailure(`[kataven] widget not shown: ${HUB} did not answer in 10 s (timeout)`);
      expect(seen.map((s) => s.detail?.type)).toEqual(['timeout']);
    });

    it('gives up on a hub that answers headers but never the body', async () => {
      open();
      page.hub = async () =>
        new Response(new ReadableStream({ start() {} }), { status: 200, headers: { 'content-type': 'application/json' } });
      page.load(page.tag());
      await page.settle();
      vi.advanceTimersByTime(10_000);
      await expectCleanFailure(/did not answer in 10 s \(timeout\)/);
    });

    const denials: [HandshakeErrorType, number, string][] = [
      ['key_malformed', 400, 'data-client-key "pk_live_x" is not a Kataven public key'],
      ['key_not_found', 404, 'No widget key ends in …x1Y2z3W4'],
      ['key_disabled', 403, 'Widget key …x1Y2z3W4 is disabled'],
      ['origin_missing', 403, 'The request carried no Origin header'],
      ['origin_not_allowed', 403, 'Origin https://shop.example is not allowed for widget key …x1Y2z3W4'],
      ['rate_limited', 429, 'Too many handshakes for widget key …x1Y2z3W4; retry in 30 s'],
    ];
    for (const [type, status, message] of denials) {
      it(`warns once with the hub's reason for ${type}`, async () => {
        open();
        page.hub = async () => json(status, { error: { type, message } });
        page.load(page.tag());
        const seen = listen('error');
        await expectCleanFailure(`[kataven] widget not shown: ${message} (${type})`);
        expect(seen).toEqual([{ name: 'error', detail: { type, message } }]);
      });
    }

    it('warns once on a 5xx with an unreadable body', async () => {
      open();
      page.hub = async () => new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
      page.load(page.tag());
      const seen = listen('error');
      await expectCleanFailure(`[kataven] widget not shown: HTTP 502 from ${HUB} (bad_response)`);
      expect(seen.map((s) => s.detail?.type)).toEqual(['bad_response']);
    });

    it("passes on a 5xx's own error body", async () => {
      open();
      page.hub = async () => json(503, { error: { type: 'unavailable', message: 'The hub is restarting; retry in a minute' } });
      page.load(page.tag());
      await expectCleanFailure('[kataven] widget not shown: The hub is restarting; retry in a minute (unavailable)');
    });

    it('warns once on a 200 with malformed JSON', async () => {
      open();
      page.hub = async () => new Response('{"session_token": "abc", ', { status: 200 });
      page.load(page.tag());
      const seen = listen('error');
      await expectCleanFailure(`[kataven] widget not shown: HTTP 200 from ${HUB} (bad_response)`);
      expect(seen.map((s) => s.detail?.type)).toEqual(['bad_response']);
    });

    it('warns once on a 200 that is not a session', async () => {
      open();
      page.hub = async () => json(200, { hello: 'world' });
      page.load(page.tag());
      await expectCleanFailure(/HTTP 200 from https:\/\/hub\.example \(bad_response\)/);
    });

    it('removes a frame that never says ready within 15 s', async () => {
      await mounted();
      const seen = listen('error');
      const frame = page.frame();
      frame.load();
      vi.advanceTimersByTime(14_999);
      await page.settle();
      expect(page.iframes()).toHaveLength(1);
      vi.advanceTimersByTime(1);
      await expectCleanFailure(
        `[kataven] widget not shown: frame blocked; allow frame-src ${HUB} in the page CSP (frame_timeout)`,
      );
      expect(seen.map((s) => s.detail?.type)).toEqual(['frame_timeout']);
    });

    it('does not time out a frame that said ready', async () => {
      await ready();
      vi.advanceTimersByTime(60_000);
      await page.settle();
      expect(page.iframes()).toHaveLength(1);
      expect(page.warnings).toEqual([]);
    });

    it('is a no-op with one warning when included twice', async () => {
      await mounted();
      const first = kataven();
      page.load(page.tag());
      await page.settle();
      expect(kataven()).toBe(first);
      expect(page.requests).toHaveLength(1);
      expect(page.iframes()).toHaveLength(1);
      expect(page.warnings).toEqual(['[kataven] loaded twice; remove one <script> tag']);
    });

    it('stands down on a second include that runs before the hub answered', async () => {
      open();
      defineStub(page);
      page.load(page.tag());
      page.load(page.tag());
      await page.until(answered, 'the iframe and the handshake');
      await page.settle();
      expect(page.requests).toHaveLength(1);
      expect(page.iframes()).toHaveLength(1);
      expect(page.warnings).toEqual(['[kataven] loaded twice; remove one <script> tag']);
    });
  });

  describe('hostile pages', () => {
    // These patch built-ins in the page's own realm (happy-dom's window is a vm context). Only the
    // dist run evaluates the bundle in that realm, as a browser does; the source run's code uses Node's
    // Array and JSON, which the patch cannot reach, so there they could not fail and are not defined.
    if (run.inPageRealm) {
      it('works when the page broke Array.prototype.push after the stub queued', async () => {
        open();
        defineStub(page);
        const seen: string[] = [];
        page.call('on', 'ready', () => seen.push('ready'));
        page.call('open');
        page.win.eval('Array.prototype.push = function () { throw new Error("push is broken") }');
        page.load(page.tag());
        await page.until(answered, 'the iframe and the handshake');
        const frame = page.frame();
        frame.load();
        await page.until(() => frame.sessions().length === 1, 'the session');
        expect(frame.commands()).toEqual([['open']]);
        await frame.send({ v: 1, type: 'ready' }, () => seen.length === 1);
        expect(page.warnings).toEqual([]);
      });

      it('works when the page broke Object.assign, forEach, JSON.stringify and Function.prototype.apply', async () => {
        open();
        defineStub(page);
        const seen: string[] = [];
        page.call('on', 'ready', () => seen.push('ready'));
        page.win.eval(`
          Object.assign = function () { throw new Error('Object.assign is broken') };
          Array.prototype.forEach = function () { throw new Error('forEach is broken') };
          JSON.stringify = function () { throw new Error('JSON.stringify is broken') };
          Function.prototype.apply = function () { throw new Error('apply is broken') };
        `);
        page.load(page.tag());
        await page.until(answered, 'the iframe and the handshake');
        expect(JSON.parse(page.requests[0]!.init.body as string)).toEqual({ client_key: KEY });
        const frame = page.frame();
        frame.load();
        await frame.send({ v: 1, type: 'ready' }, () => seen.length === 1);
        await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width === px(PANEL_WIDTH));
        expect(page.iframe().style.height).toBe(px(PANEL_HEIGHT));
        expect(page.warnings).toEqual([]);
        expect(page.errors).toEqual([]);
      });

      it('works when the page replaced JSON.parse', async () => {
        open();
        page.win.eval('JSON.parse = function () { throw new Error("JSON.parse is broken") }');
        page.load(page.tag());
        await page.until(answered, 'the iframe and the handshake');
        expect(page.warnings).toEqual([]);
      });
    }

    it('warns once when a fetch wrapper throws synchronously', async () => {
      open();
      page.hub = () => {
        throw new Error('blocked by monitoring wrapper');
      };
      expect(() => page.load(page.tag())).not.toThrow();
      await expectCleanFailure(/could not reach https:\/\/hub\.example.*\(network_error\)/);
    });

    it('throws nothing and rejects nothing when console.warn throws', async () => {
      open();
      (page.win.console as unknown as Record<string, unknown>).warn = () => {
        throw new Error('console is broken');
      };
      page.hub = () => Promise.reject(new TypeError('Failed to fetch'));
      const seen: string[] = [];
      expect(() => page.load(page.tag())).not.toThrow();
      page.call('on', 'error', (d: Detail) => seen.push(d!.type));
      expect(() => page.call('nonsense')).not.toThrow();
      await page.settle();
      expect(page.rejections).toEqual([]);
      expect(page.errors).toEqual([]);
      expect(seen).toEqual(['network_error']);
    });

    it('throws nothing into the page for an inline tag without src', async () => {
      open();
      const s = page.tag();
      s.removeAttribute('src');
      expect(() => page.load(s)).not.toThrow();
      await expectCleanFailure(/widget not shown: /);
    });
  });
}
