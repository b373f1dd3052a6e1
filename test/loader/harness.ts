/**
 * A fake customer page for the loader: a happy-dom window with the loader's <script> tag, a fake hub
 * behind `fetch` (real `Response` objects), fake time, and a fake frame on the other side of the
 * iframe. The same harness drives the TypeScript source and the built dist/loader.js (see `Load`).
 *
 * What is real: the DOM, CSSOM, events and MessageEvent of happy-dom; Node's MessageChannel (real
 * structured clone and message delivery); Node's Response. What is faked, and why:
 * - `fetch`: the edge of the world. Each page answers with `page.hub`, a function of the request.
 * - timers: `win.setTimeout` forwards to the global one at call time, so vi.useFakeTimers() drives
 *   the loader's 10 s and 15 s timeouts (happy-dom keeps private references to the real timers). A
 *   0 ms timeout (how handlers are called) runs on the next real turn instead, as "soon" as in a
 *   browser, whatever the fake clock does. Like a browser, an exception thrown by a timer callback
 *   is reported as a page error instead of escaping.
 * - `visualViewport`, which happy-dom lacks: the window's size less an on-screen keyboard's (`page.keyboard`).
 * - the frame: happy-dom's postMessage neither transfers ports nor exposes `ports`, and iframe page
 *   loading stays off, so `iframe.contentWindow` is replaced by a plain object whose postMessage
 *   records its calls; the test plays the frame by dispatching MessageEvents with that object as
 *   `source` and by talking on the transferred port.
 */
import { setImmediate as realSetImmediate } from 'node:timers';
import { Window } from 'happy-dom';
import { vi } from 'vitest';
import type { HandshakeResponse } from '../../src/protocol/handshake.js';
import type { FrameToPage, InitMessage, PageToFrame, SessionMessage } from '../../src/protocol/messages.js';

export const HUB = 'https://hub.example';
export const PAGE = 'https://shop.example';
export const SRC = HUB + '/widget/v1/loader.js';
export const KEY = 'pk_live_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6' + 'Q7r8S9';
export const SESSION: HandshakeResponse = {
  session_token: 'eyJhbGciOiJIUzI1NiJ9.c2Vzc2lvbg.c2lnbmF0dXJl',
  expires_at: '2030-01-01T00:10:00.000Z',
  frame_url: HUB + '/widget/v1/frame?k=wk_1&o=' + encodeURIComponent(PAGE),
  agent: { id: 'ag_1', name: 'Ada', greeting: 'Hi there', accent_color: '#0a7cff', theme: 'auto', locale: null, title: 'Chat with Ada' },
  identity: 'off',
  mode: 'live',
};

/** Runs the loader on `page` with `script` as document.currentScript (null: as if unavailable). */
export type Load = (page: Page, script: HTMLScriptElement | null) => void;

/** A JSON response as the hub sends it. */
export const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export interface Request {
  url: string;
  init: RequestInit;
}

/** The other side of the iframe, as the frame's script would see it. */
export interface FakeFrame {
  /** Stands in for iframe.contentWindow. */
  window: { postMessage: (data: unknown, targetOrigin: string, transfer?: MessagePort[]) => void };
  /** Every window.postMessage the loader made to the frame. */
  posted: { data: InitMessage; targetOrigin: string; transfer: MessagePort[] }[];
  /** Every message that reached the frame on the transferred port, in order. */
  received: PageToFrame[];
  /** The `session` messages among them. */
  sessions(): SessionMessage[];
  /** The commands among them, as `[name, arg]` (an `arg` of undefined left out). */
  commands(): unknown[][];
  /** The frame's document has loaded: fires the iframe's `load` event, as the browser does. */
  load(): void;
  /** Posts a message from the frame's window to the page (default: a proper hello, what pinned older loaders wait for). */
  hello(init?: { data?: unknown; origin?: string; source?: unknown }): void;
  /** Sends a message to the page on the transferred port and waits until `until` holds. */
  send(msg: FrameToPage, until: () => boolean): Promise<void>;
}

export interface Page {
  win: Window;
  doc: Document;
  /** Every console.warn line of the page. */
  warnings: string[];
  /** Exceptions that reached the page (happy-dom reports listener errors as window `error` events). */
  errors: unknown[];
  /** Unhandled promise rejections of the process while the page was open. */
  rejections: unknown[];
  /** Handshake requests the fake hub received. */
  requests: Request[];
  /** The fake hub: answers every fetch. Defaults to a granted session. */
  hub: (req: Request) => Promise<Response>;
  /** Appends a loader <script> tag (to <head>) with the given data- attributes. */
  tag(data?: Record<string, string>, src?: string): HTMLScriptElement;
  /** Runs the loader with `script` as currentScript. */
  load(script: HTMLScriptElement | null): void;
  /** window.Kataven(…). */
  call(...args: unknown[]): void;
  iframes(): HTMLIFrameElement[];
  iframe(): HTMLIFrameElement;
  /** Lets promises, happy-dom tasks and MessagePort deliveries run. */
  settle(): Promise<void>;
  /** Polls (real time) until `cond` holds; fails with `what` after ~2 s. */
  until(cond: () => boolean, what?: string): Promise<void>;
  /** Takes the frame's side of the mounted iframe. */
  frame(): FakeFrame;
  /** An on-screen keyboard of `height` px comes up over the page (0: it goes): the visual viewport shrinks. */
  keyboard(height: number): void;
  /** Run when the page closes (undo of shared patches). */
  cleanups: (() => void)[];
  close(): Promise<void>;
}

const tick = () => new Promise<void>((r) => realSetImmediate(r));

export function createPage(load: Load, opts: { width?: number } = {}): Page {
  const win = new Window({
    url: PAGE + '/',
    width: opts.width ?? 1280,
    height: 800,
    settings: { disableIframePageLoading: true, disableJavaScriptFileLoading: true },
  });
  const doc = win.document as unknown as Document;
  const warnings: string[] = [];
  const errors: unknown[] = [];
  const rejections: unknown[] = [];
  const requests: Request[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  const w = win as unknown as Record<string, unknown>;
  w.setTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const run = () => {
      try {
        fn(...args);
      } catch (e) {
        errors.push(e);
      }
    };
    return ms ? setTimeout(run, ms) : realSetImmediate(run);
  };
  w.clearTimeout = (id: ReturnType<typeof setTimeout>) => clearTimeout(id);
  // happy-dom has no MessageChannel; Node's is the real thing.
  w.MessageChannel = MessageChannel;
  (win.console as unknown as Record<string, unknown>).warn = (...args: unknown[]) => warnings.push(args.join(' '));
  win.addEventListener('error', (e) => errors.push((e as unknown as { error?: unknown }).error ?? e));
  const ports: MessagePort[] = [];
  const viewport = installVisualViewport(win);

  const page: Page = {
    win,
    doc,
    warnings,
    errors,
    rejections,
    requests,
    hub: async () => json(200, SESSION),
    tag(data = { clientKey: KEY }, src = SRC) {
      const s = doc.createElement('script');
      // Not loaded by happy-dom (JavaScript file loading is off): the test runs the loader itself.
      s.src = src;
      s.async = true;
      for (const [k, v] of Object.entries(data)) s.dataset[k] = v;
      doc.head.appendChild(s);
      return s;
    },
    load(script) {
      load(page, script);
    },
    call(...args) {
      (w.Kataven as (...a: unknown[]) => void)(...args);
    },
    iframes() {
      return [...doc.querySelectorAll('iframe')];
    },
    iframe() {
      const all = page.iframes();
      if (all.length !== 1) throw new Error(`expected one iframe, found ${all.length}`);
      return all[0]!;
    },
    async settle() {
      for (let i = 0; i < 10; i++) await tick();
    },
    async until(cond, what = 'condition') {
      for (let i = 0; i < 400; i++) {
        if (cond()) return;
        await tick();
        if (i > 50) await new Promise((r) => realSetImmediate(r));
      }
      throw new Error(`timed out waiting for ${what}`);
    },
    frame() {
      const iframe = page.iframe();
      const posted: FakeFrame['posted'] = [];
      const received: PageToFrame[] = [];
      const window: FakeFrame['window'] = {
        postMessage(data, targetOrigin, transfer = []) {
          posted.push({ data: data as InitMessage, targetOrigin, transfer });
          const port = transfer[0];
          if (port) {
            ports.push(port);
            port.onmessage = (e) => received.push(e.data);
          }
        },
      };
      Object.defineProperty(iframe, 'contentWindow', { value: window, configurable: true });
      return {
        window,
        posted,
        received,
        sessions: () => received.filter((m): m is SessionMessage => m.type === 'session'),
        commands: () => received.flatMap((m) => (m.type === 'command' ? [m.arg === undefined ? [m.name] : [m.name, m.arg]] : [])),
        load() {
          iframe.dispatchEvent(new win.Event('load') as unknown as Event);
        },
        hello(init = {}) {
          const ev = new win.MessageEvent('message', {
            data: { v: 1, type: 'hello' },
            origin: HUB,
            source: window,
            ...init,
          } as ConstructorParameters<typeof win.MessageEvent>[1]);
          win.dispatchEvent(ev);
        },
        async send(msg, until) {
          const port = posted.at(-1)?.transfer[0];
          if (!port) throw new Error('no port: the loader has not answered hello');
          port.postMessage(msg);
          await page.until(until, `the page to take ${JSON.stringify(msg)}`);
        },
      };
    },
    keyboard: viewport.keyboard,
    cleanups: [],
    async close() {
      process.off('unhandledRejection', onRejection);
      for (const undo of page.cleanups) undo();
      for (const p of ports) p.close();
      const api = w.Kataven as ((c: string) => void) | undefined;
      try {
        if (typeof api === 'function') api('destroy');
      } catch {}
      await win.happyDOM.abort();
      await win.happyDOM.close();
    },
  };
  w.fetch = vi.fn((url: string, init: RequestInit) => {
    const req = { url: String(url), init };
    requests.push(req);
    return page.hub(req);
  });
  return page;
}

/**
 * happy-dom has no visualViewport; this gives `win` what a browser has at scale 1: the window's size,
 * less what an on-screen keyboard covers (`keyboard(px)`; 0 when it goes), with its `resize` fired
 * with the window's, as a browser fires it.
 */
export function installVisualViewport(win: Window): { keyboard(height: number): void } {
  let covered = 0;
  const viewport = new win.EventTarget();
  Object.defineProperties(viewport, {
    width: { get: () => win.innerWidth },
    height: { get: () => win.innerHeight - covered },
    offsetTop: { value: 0 },
    scale: { value: 1 },
  });
  const resized = () => viewport.dispatchEvent(new win.Event('resize'));
  win.addEventListener('resize', resized);
  (win as unknown as { visualViewport: unknown }).visualViewport = viewport;
  return {
    keyboard(height) {
      covered = height;
      resized();
    },
  };
}

/** The snippet site owners paste before the loader tag, run as page script. */
export function defineStub(page: Page): void {
  page.win.eval('window.Kataven = window.Kataven || function(){(Kataven.q = Kataven.q || []).push(arguments)}');
}

/**
 * A strict style CSP, simulated: style attribute strings (setAttribute('style', …), cssText) are
 * recorded as violations, CSSOM property writes are allowed. happy-dom implements a CSSOM write by
 * writing the attribute itself from CSSStyleDeclaration#setProperty/removeProperty, so attribute
 * writes made from inside those are let through. The patched prototypes are shared by every happy-dom
 * window, so they are restored when the page closes.
 */
export function strictStyleCsp(page: Page): string[] {
  const violations: string[] = [];
  const win = page.win as unknown as {
    Element: { prototype: Record<string, unknown> };
    CSSStyleDeclaration: { prototype: Record<string, unknown> };
  };
  const style = win.CSSStyleDeclaration.prototype;
  const element = win.Element.prototype;
  const saved = {
    setProperty: Object.getOwnPropertyDescriptor(style, 'setProperty')!,
    removeProperty: Object.getOwnPropertyDescriptor(style, 'removeProperty')!,
    cssText: Object.getOwnPropertyDescriptor(style, 'cssText')!,
    setAttribute: Object.getOwnPropertyDescriptor(element, 'setAttribute')!,
  };
  let inCssom = 0;
  for (const name of ['setProperty', 'removeProperty'] as const) {
    const original = saved[name].value as (...a: unknown[]) => unknown;
    style[name] = function (this: unknown, ...args: unknown[]) {
      inCssom++;
      try {
        return original.apply(this, args);
      } finally {
        inCssom--;
      }
    };
  }
  Object.defineProperty(style, 'cssText', {
    ...saved.cssText,
    set(this: unknown, v: string) {
      violations.push('cssText = ' + v);
      saved.cssText.set!.call(this, v);
    },
  });
  const setAttribute = saved.setAttribute.value as (this: unknown, n: string, v: string) => void;
  element.setAttribute = function (this: unknown, name: string, value: string) {
    if (String(name).toLowerCase() === 'style' && !inCssom) violations.push('setAttribute(style, ' + value + ')');
    return setAttribute.call(this, name, value);
  };
  page.cleanups.push(() => {
    for (const [name, d] of Object.entries(saved)) Object.defineProperty(name === 'setAttribute' ? element : style, name, d);
  });
  return violations;
}
