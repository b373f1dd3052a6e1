/**
 * The frame: wait for the session from the page, draw the launcher, say `ready`, then run the panel and
 * the conversation. Globals come in as arguments (`src/frame/index.ts` is the only file that touches
 * `window`), so all of this runs under test with fake ones.
 *
 * Error contract: nothing here throws out of an event handler or leaves a promise to reject.
 */
import type { LegacyInitMessage, SessionMessage } from '../protocol/messages.js';
import { createApi } from './api.js';
import { createChat } from './chat.js';
import { reportedContext } from './context.js';
import { keepFocusIn } from './focus.js';
import { createIdentity } from './identity.js';
import { awaitInit, connect, pageOrigin, type PageHandlers, type Port } from './handover.js';
import { keepFresh } from './session.js';
import { safeStore } from './storage.js';
import type { Strings } from './strings.js';
import { createView } from './view.js';

export interface FrameEnv {
  /** Where `message` events arrive (the frame's window). */
  win: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  doc: Document;
  /** `window.parent`: the only window allowed to hand over the session. */
  parent: Pick<Window, 'postMessage'>;
  /** `location.search` of the frame URL: `k` (widget key id) and `o` (page origin). */
  search: string;
  /** Getter for `localStorage` (reading it may throw). */
  storage: () => Storage | null | undefined;
  fetch: typeof fetch;
  /** Calls back before the next paint (requestAnimationFrame): streamed text renders once per frame. */
  nextFrame: (cb: () => void) => void;
  /** A random UUID (a visitor message's `client_message_id`). */
  uuid: () => string;
  /** The site developer's console (the frame's console shows in the page's devtools). */
  warn: (text: string) => void;
  /** The language table this frame was built with (the hub chose the language: document `lang`). */
  t: Strings;
}

export function boot(env: FrameEnv): void {
  const origin = pageOrigin(env.search);
  // Not framed by a page the hub vouched for: stay blank (the loader's timeout tells the site owner).
  if (!origin) return;
  awaitInit(env.win, env.parent, origin, (port, legacy) => listen(env, port, legacy));
}

/** The widget once the session is here. */
interface Widget {
  isOpen(): boolean;
  setOpen(open: boolean, focus: boolean): void;
  setContext(context: unknown): void;
  /** `Kataven('identify', token)` (`logout` false) or `Kataven('logout')`. */
  setIdentity(token: unknown, logout: boolean): void;
  /** Tells the page `ready` (the launcher is in the document), then runs what waited for it. */
  ready(): void;
}

/**
 * The page's side of the conversation, from the handover on: the session starts the widget, and the
 * page's commands wait until the launcher is shown (src/protocol/messages.ts CommandMessage): until
 * then `open`, `close` and `toggle` fold into one wish, applied at `ready` without taking focus from
 * the page that just loaded, and not at all on a narrow viewport, where it would cover the page.
 */
function listen(env: FrameEnv, port: Port, legacy?: LegacyInitMessage): void {
  let wish = false;
  let ready = false;
  let widget: Widget | undefined;
  /** The latest context given before the session, for the widget once it exists. */
  let context: unknown;
  /** identify/logout given before the session, in order, for the widget once it exists. */
  const identity: [unknown, boolean][] = [];
  const on: PageHandlers = {
    onSession(session) {
      if (widget) return;
      widget = start(env, session, page, (w) => {
        ready = true;
        if (wish && !session.narrow) w.setOpen(true, false);
      });
      if (context !== undefined) widget.setContext(context);
      for (const [token, logout] of identity) widget.setIdentity(token, logout);
      // After what the page gave before the session: a key that requires sign-in checks at `ready`
      // whether a token was given.
      widget.ready();
    },
    onCommand(name) {
      const open = name == 'toggle' ? !(ready ? widget!.isOpen() : wish) : name == 'open';
      if (ready) widget!.setOpen(open, true);
      else wish = open;
    },
    onContext(c) {
      if (widget) widget.setContext(c);
      else context = c;
    },
    onIdentity(token, logout) {
      if (widget) widget.setIdentity(token, logout);
      else identity.push([token, logout]);
    },
    // The loader passes on every command it does not serve itself; the site's developer learns of a
    // typo here, in the same words the loader uses for its own.
    onUnknown: (name) => env.warn('[kataven] ignored Kataven(' + String(name) + ')'),
  };
  const page = connect(port, on);
  // A loader of an earlier build: the session came with `init`, its `open` already folded (and false
  // on a narrow viewport).
  if (legacy) {
    wish = legacy.open;
    on.onSession({ ...legacy, type: 'session', narrow: false });
  }
}

/** Draws the launcher and runs the conversation; `onReady` once the page was told `ready` (Widget.ready). */
function start(env: FrameEnv, session: SessionMessage, page: ReturnType<typeof connect>, onReady: (widget: Widget) => void): Widget {
  const doc = env.doc;
  const agent = session.agent;
  const auth = { token: session.session_token };
  const api = createApi(env.fetch, auth);

  const setOpen = (open: boolean, focus: boolean) => {
    if (view.isOpen() == open) return;
    if (open) chat.opened();
    // Focus goes back to the launcher only if it was in this frame: a close commanded by the page
    // while the visitor works there must not pull focus into the widget.
    view.setOpen(open, focus && (open || doc.hasFocus()));
    page.send({ v: 1, type: 'state', open });
  };
  const view = createView(
    doc,
    agent,
    {
      onToggle: (open) => setOpen(open, true),
      onSubmit: (text) => void chat.send(text),
    },
    env.nextFrame,
    env.t,
    session.side,
    session.mode == 'test',
  );
  const stop = keepFresh(api, auth, session.expires_at, env.t, (line) => {
    chat.stop();
    view.lock(line);
  });
  const chat = createChat({
    api,
    fetch: env.fetch,
    auth,
    store: safeStore(env.storage),
    keyId: new URLSearchParams(env.search).get('k') || '',
    agent,
    view,
    t: env.t,
    uuid: env.uuid,
    notify: (m) => page.send(m),
    onExpired: stop,
  });
  const identity = createIdentity({ api, auth, chat, view, mode: session.identity || 'off', t: env.t, notify: (m) => page.send(m), warn: env.warn });
  const widget: Widget = {
    isOpen: () => view.isOpen(),
    setOpen,
    setContext: (c) => chat.setContext(reportedContext(c, (t) => env.warn('[kataven] ' + t))),
    setIdentity: (token, logout) => void (logout ? identity.logout() : identity.identify(token)),
    // As soon as the launcher is in the document, not after a paint: the frame is hidden until the page
    // hears `ready`, and Chromium neither paints nor runs animation frames in a hidden cross-origin
    // frame, so waiting for one waited for the 100 ms timeout that backed it up (docs/performance.md,
    // "The launcher's gap"). The frame's background is transparent: shown before its first paint, it
    // shows the page behind it for that one frame, then the launcher.
    ready() {
      page.send({ v: 1, type: 'ready' });
      onReady(widget);
      identity.ready();
    },
  };
  doc.body.appendChild(view.root);
  keepFocusIn(doc, view.panel);
  return widget;
}
