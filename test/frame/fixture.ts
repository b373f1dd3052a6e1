/** Fake globals for the frame: a happy-dom window, a fake parent, a real MessageChannel, a routed fetch. */
import { Window as HappyWindow } from 'happy-dom';
import { vi } from 'vitest';
import { boot } from '../../src/frame/boot.js';
import { EN, type Strings } from '../../src/frame/strings.js';
import type { AgentPublic } from '../../src/protocol/handshake.js';
import type { CommandMessage, SessionMessage } from '../../src/protocol/messages.js';

export const HUB = 'https://hub.test';
export const PAGE = 'https://shop.test';
export const KEY_ID = 'wk_1';
export const STORE_KEY = 'kataven:conversation:' + KEY_ID;
export const AGENT: AgentPublic = { id: 'ag_1', name: 'Ada', greeting: 'Hi! How can I help?', accent_color: '#0b7285', theme: 'auto', locale: null };

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
export const hubError = (status: number, type: string, message = type) => json(status, { error: { type, message } });
export const msg = (role: 'visitor' | 'agent' | 'person', text: string, id = role + ':' + text, status: 'streaming' | 'completed' | 'failed' = 'completed') => ({
  id,
  role,
  text,
  created_at: '2025-01-01T00:00:00.000Z',
  status,
  author_name: null as string | null,
});

export interface Call {
  method: string;
  path: string;
  auth: string | null;
  body: unknown;
  /** The `Last-Event-ID` header, when one was sent. */
  lastEventId?: string;
}

/**
 * One `text/event-stream` response the test writes to: what the hub's events route would send. The
 * reader aborting its fetch errors the body, as in a browser.
 */
export function sseStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const bytes = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const s = {
    response: (signal?: AbortSignal | null) => {
      signal?.addEventListener('abort', () => s.fail());
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    },
    /** Raw text, split as the test likes (chunk boundaries are the point of some tests). */
    raw(text: string) {
      if (!closed) controller.enqueue(bytes.encode(text));
    },
    /** Bytes as they are, for a character split across chunks. */
    bytes(b: Uint8Array) {
      if (!closed) controller.enqueue(b);
    },
    send(event: string, id: string, data: unknown) {
      s.raw(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (closed) return;
      closed = true;
      controller.close();
    },
    /** The connection drops (reset, proxy cut). */
    fail() {
      if (closed) return;
      closed = true;
      controller.error(new TypeError('network error'));
    },
  };
  return s;
}
type Handler = (body: any, call: Call, init: RequestInit) => Response | Promise<Response>;

/**
 * fetch at the edge of the world: routes by "METHOD /path"; an unknown route answers 599 and is recorded,
 * except an events stream, which stays open and quiet (an idle conversation) unless a route says otherwise.
 */
export function fakeFetch(routes: Record<string, Handler> = {}) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const body = typeof init.body == 'string' ? JSON.parse(init.body) : undefined;
    const call: Call = { method: init.method ?? 'GET', path: String(input), auth: headers.get('authorization'), body };
    if (headers.has('last-event-id')) call.lastEventId = headers.get('last-event-id')!;
    calls.push(call);
    const h = routes[call.method + ' ' + call.path];
    if (h) return h(body, call, init);
    if (call.method == 'GET' && call.path.endsWith('/events')) return sseStream().response(init.signal);
    return new Response('no route', { status: 599 });
  });
  return { fetch: fn as unknown as typeof fetch, calls, routes };
}

/**
 * vi.waitFor polling every millisecond, not every 50: the frame answers within a few ticks, so at the
 * default a test spent most of its time asleep, and mutation testing runs each test hundreds of times.
 */
export const waitFor = <T>(check: () => T | Promise<T>, timeout = 1000) => vi.waitFor(check, { interval: 1, timeout });

export function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export interface FrameOptions {
  search?: string;
  fetch?: typeof fetch;
  storage?: () => Storage | null | undefined;
  /** Hold animation-frame callbacks in `frames` for the test to run (default: each runs in a task of its own). */
  holdFrames?: boolean;
  /** The frame's language table (default English). */
  t?: Strings;
}

/** What the barriers below send through a channel: no message of the protocol, so both sides ignore it. */
const MARK = 'kataven-test-barrier';

const open: Array<{ close(): unknown }> = [];
/** Close every window and port the fixture opened (afterEach). */
export async function cleanup() {
  for (const o of open.splice(0)) await o.close();
}

export function mountFrame(opts: FrameOptions = {}) {
  const search = opts.search ?? '?k=' + KEY_ID + '&o=' + encodeURIComponent(PAGE);
  const win = new HappyWindow({ url: HUB + '/widget/v1/frame' + search });
  open.push({ close: () => win.happyDOM.close() });
  const doc = win.document as unknown as Document;
  const parent = { postMessage: vi.fn() };
  const frames: Array<() => void> = [];
  const warnings: string[] = [];
  let ids = 0;
  const f = opts.fetch ?? fakeFetch().fetch;
  boot({
    win: win as unknown as Window,
    doc,
    parent: parent as unknown as Window,
    search,
    storage: opts.storage ?? (() => win.localStorage as unknown as Storage),
    fetch: f,
    nextFrame: (cb) => (opts.holdFrames ? frames.push(cb) : setTimeout(cb)),
    uuid: () => 'cm_' + ++ids,
    warn: (text) => warnings.push(text),
    t: opts.t ?? EN,
  });

  /** What the page received on its end of the channel, in order (the barrier's markers left out). */
  const got: any[] = [];
  let pagePort: MessagePort | undefined;
  const channels: MessageChannel[] = [];

  /**
   * Hand over the port and a session the way the loader does: `open` as data-open (an `open` command
   * before the session), `before` as commands the page gave before the handshake answered, the rest
   * overrides the session; `from` overrides the window message's source/origin/ports.
   */
  function init(
    { open: autoOpen, before = [], ...over }: Partial<SessionMessage> & { open?: boolean; before?: CommandMessage[] } = {},
    from: { source?: unknown; origin?: string; ports?: unknown[] } = {},
  ) {
    const channel = newChannel();
    if (autoOpen) channel.port1.postMessage({ v: 1, type: 'command', name: 'open' } satisfies CommandMessage);
    for (const m of before) channel.port1.postMessage(m);
    const session: SessionMessage = {
      v: 1,
      type: 'session',
      session_token: 'tok_1',
      expires_at: new Date(Date.now() + 600_000).toISOString(),
      agent: AGENT,
      narrow: false,
      ...over,
    };
    channel.port1.postMessage(session);
    handover({ v: 1, type: 'init' }, from, channel);
    return channel;
  }

  /** Posts `data` as the page's window message to the frame, with `channel`'s second port unless `from` says otherwise. */
  function handover(data: unknown, from: { source?: unknown; origin?: string; ports?: unknown[] }, channel: MessageChannel) {
    win.dispatchEvent(
      new win.MessageEvent('message', {
        data,
        source: ('source' in from ? from.source : parent) as never,
        origin: from.origin ?? PAGE,
        ports: (from.ports ?? [channel.port2]) as never,
      }),
    );
  }

  /** The page's end listened to (into `got`), closed by cleanup. */
  function newChannel() {
    const channel = new MessageChannel();
    open.push({ close: () => (channel.port1.close(), channel.port2.close()) });
    channel.port1.addEventListener('message', (e) => (e as MessageEvent).data !== MARK && got.push((e as MessageEvent).data));
    channel.port1.start();
    pagePort = channel.port1;
    channels.push(channel);
    return channel;
  }

  /** Hands over the way a loader of an earlier build does: the session in the window message itself. */
  function legacyInit(open = false) {
    const channel = newChannel();
    handover({ v: 1, type: 'init', session_token: 'tok_1', expires_at: new Date(Date.now() + 600_000).toISOString(), agent: AGENT, open }, {}, channel);
    return channel;
  }

  const $ = <T extends Element = HTMLElement>(sel: string) => doc.querySelector(sel) as T | null;
  const ui = {
    launcher: () => $<HTMLButtonElement>('.kv-launch'),
    panel: () => $('.kv-panel'),
    input: () => $<HTMLTextAreaElement>('#kv-input'),
    sendButton: () => $<HTMLButtonElement>('.kv-send'),
    closeButton: () => $<HTMLButtonElement>('.kv-close'),
    error: () => $('[role="alert"]'),
    log: () => $('[role="log"]'),
    /** Each bubble's message text, without the screen-reader "Name: " prefix. */
    bubbles: () =>
      [...doc.querySelectorAll('.kv-msg')].map((b) => (b.classList.contains('kv-visitor') ? 'you: ' : b.classList.contains('kv-person') ? 'person: ' : 'agent: ') + b.querySelector('.kv-body')!.textContent),
    /** Bubbles marked failed, by their text. */
    failed: () => [...doc.querySelectorAll('.kv-failed .kv-body')].map((b) => b.textContent),
    retryButtons: () => [...doc.querySelectorAll<HTMLButtonElement>('.kv-retry')],
    status: () => $('.kv-status'),
    pill: () => $<HTMLButtonElement>('.kv-pill'),
    badge: () => $('.kv-badge'),
    /** The polite region the chat announces through. */
    live: () => $('[role="status"]'),
  };

  /**
   * Resolves once promise chains (fetch answers) have run out and everything the frame has posted to the
   * page so far has arrived: a marker posted on the frame's end of each channel arrives after it (a port
   * delivers in order). For claims that something did not happen.
   */
  async function idle() {
    await new Promise((r) => setImmediate(r));
    for (const { port1, port2 } of channels) {
      const marked = new Promise((r) => port1.addEventListener('message', (e) => (e as MessageEvent).data === MARK && r(null)));
      port2.postMessage(MARK);
      await marked;
    }
  }

  /**
   * …after the frame has handled every command sent so far: a marker sent after them reaches a listener
   * of ours that comes after the frame's (the frame listens from the handover on).
   */
  async function handled() {
    const port = channels.at(-1)!.port2;
    const seen = new Promise((r) => port.addEventListener('message', (e) => (e as MessageEvent).data === MARK && r(null)));
    pagePort!.postMessage(MARK);
    await seen;
    await idle();
  }

  return {
    win,
    doc,
    parent,
    frames,
    warnings,
    got,
    init,
    legacyInit,
    idle,
    handled,
    ui,
    /** The page sends a command on the channel. */
    command: (data: unknown) => pagePort!.postMessage(data),
    key: (key: string, target: EventTarget = doc.activeElement ?? doc, extra: KeyboardEventInit = {}) =>
      target.dispatchEvent(new win.KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...extra } as never) as unknown as Event),
    type(text: string) {
      ui.input()!.value = text;
    },
    submit: () => ui.input()!.form!.dispatchEvent(new win.Event('submit', { bubbles: true, cancelable: true }) as unknown as Event),
  };
}
