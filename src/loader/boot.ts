/**
 * The loader: read the config from our own <script> tag, ask the hub for a session, mount the frame,
 * hand it the session over a private MessageChannel, and serve `window.Kataven(command, …)`.
 *
 * Error contract (instant.page style): nothing here throws into the host page and no promise is left
 * to reject. A failure leaves no iframe behind, prints exactly one `console.warn` line prefixed
 * `[kataven] ` that names the cause (and the fix, where there is one), and, once the API exists,
 * emits `error`.
 *
 * Size: dist/loader.js must stay under 1,500 B gzipped, and every byte here is paid on every page
 * view of every customer. So the code keeps what a page or a site owner can observe and skips hygiene
 * nobody can: timers are not cleared (each checks its state when it fires), listeners left by a
 * teardown are inert (the iframe is gone), a handshake given up on is not aborted, and browser
 * features are not probed (see below).
 */
import type { KatavenError, KatavenEventName, KatavenHandler, KatavenReply } from '../protocol/browser-api.js';
import type { ErrorBody } from '../protocol/errors.js';
import { HANDSHAKE_PATH, type HandshakeRequest, type HandshakeResponse } from '../protocol/handshake.js';
import type { CommandMessage, FrameToPage, InitMessage } from '../protocol/messages.js';

/**
 * `window.Kataven` as the loader meets it: the snippet's queue stub (with `q`) or the real API (with
 * `loaded`), called by untyped page code with anything. Site owners see the typed `KatavenApi`; the
 * global declaration of it (protocol/browser-global.ts) makes the compiler check `win.Kataven = api`
 * below against it.
 */
export interface Kataven {
  (command: string, ...args: unknown[]): void;
  /** Calls queued by the stub before the loader ran, each an `arguments` object. */
  q?: ArrayLike<unknown>[];
  /** Set on the real API only: a second copy of the loader sees it and stands down. */
  loaded?: 1;
}

export type LoaderWindow = Window & typeof globalThis & { Kataven?: Kataven };

export function boot(script: HTMLScriptElement | null, win: LoaderWindow): void {
  // A page may stub or break console; our warning must never be the thing that throws (in the
  // async part that would become an unhandled rejection).
  const warn = (text: string) => {
    try {
      win.console.warn('[kataven] ' + text);
    } catch {}
  };
  try {
    const doc = win.document;
    const stub = win.Kataven;
    // Checked on the real API, not on the stub: the snippet defines the stub on every page view.
    if (stub && stub.loaded) return warn('loaded twice; remove one <script> tag');
    // currentScript is null when the tag was run indirectly (some tag managers, Rocket Loader).
    // "Tag not found" and "attribute missing" have the same fix, so they share one message.
    script = script || doc.querySelector<HTMLScriptElement>('script[data-client-key]');
    const data = script ? script.dataset : {};
    const key = data.clientKey;
    if (!key) return warn('widget not shown: no data-client-key');
    // Every engine that can parse this ES2018 bundle has MessageChannel and fetch, so there is no
    // probe: a page that deleted MessageChannel fails right here, in the catch below, with the
    // engine's own words ("… MessageChannel is not a constructor"); one without fetch ends as a
    // network_error. An inline tag without src fails here too ("Invalid URL").
    const channel = new win.MessageChannel();
    const hub = new win.URL(script!.src).origin;
    const left = data.position == 'left';
    /** Before the handover: the wish of data-open and of early commands. Then: what the frame reports. */
    let open = data.open == 'true';
    let dead: 1 | undefined;
    let ready: 1 | undefined;
    let handed: 1 | undefined;
    let session: HandshakeResponse | undefined;
    const port = channel.port1;
    const frame = doc.createElement('iframe');
    // Handler arrays by event name. They are replaced, never pushed to (a page may have broken push),
    // so an emit walks the array it started with even when a handler calls on/off.
    const handlers: Record<string, KatavenHandler[]> = {};
    // Each handler runs in a task of its own, like a DOM event listener: one that throws is reported
    // by the browser as the site's own error, and neither the other handlers nor the loader notice.
    const emit = (name: KatavenEventName, detail?: KatavenError | KatavenReply) =>
      (handlers[name] || []).forEach((f) => win.setTimeout(f, 0, detail));
    // Closed: an 88 × 88 launcher. Open: a 400 × 680 panel (max-height 100%); full screen below 480 px
    // of viewport width, where 100% × 100% anchored at a bottom corner needs no top/left.
    const resize = () => {
      const s = frame.style;
      const full = open && win.innerWidth < 480;
      s.width = full ? '100%' : open ? '400px' : '88px';
      s.height = full ? '100%' : open ? '680px' : '88px';
    };

    /** Tears everything down, once. With a `type` it is a failure: one warning, then `error`. */
    const end = (type?: KatavenError['type'], message?: string) => {
      if (dead) return;
      dead = 1;
      port.close();
      frame.remove();
      if (type) {
        warn('widget not shown: ' + message + ' (' + type + ')');
        emit('error', { type, message: message! });
      }
    };

    // Only our frame may start the handover: its window, our hub's origin, the right shape. Anything
    // else (other frames, extensions, look-alike messages) is ignored without a word. The listener
    // stays, inert: after the handover, and once the frame is gone (its contentWindow is then null).
    const onMessage = (e: MessageEvent) => {
      const w = frame.contentWindow;
      const d = e.data;
      // One handover: a port can be transferred only once, so a second hello (a reloaded frame) is ignored.
      if (w && e.source == w && e.origin == hub && d && d.v === 1 && d.type === 'hello' && !handed) {
        handed = 1;
        // Exact targetOrigin, never '*': if the frame navigated elsewhere the browser drops the session.
        // The token travels only here, never in a URL.
        w.postMessage({ ...session!, v: 1, type: 'init', open } satisfies InitMessage, hub, [channel.port2]);
      }
    };

    // The port is private to our frame, so its messages need no origin check.
    port.onmessage = (e: MessageEvent<FrameToPage>) => {
      const d = e.data;
      if (d.type == 'ready') {
        ready = 1;
        frame.style.visibility = '';
        emit(d.type);
      } else if (d.type == 'state') {
        open = d.open;
        resize();
        emit(open ? 'open' : 'close');
        // `message`: `{ role, text }`, with the port's `v` and `type` left on (copying fields costs bytes).
      } else emit(d.type as 'message', d as KatavenReply);
    };

    const api: Kataven = (command, event, fn) => {
      // Every bad call (unknown name, no function for on/off) lands in catch: warned, skipped.
      try {
        // Own members of this literal are the only numbers it yields: inherited ones (toString…) are not >= 0.
        const wish = ({ open: 1, close: 0, toggle: +!open } as Record<string, unknown>)[command];
        if ((wish as number) >= 0) {
          open = !!wish;
          // Before the handover the wish rides on `init` alone (the frame would replay queued commands
          // after applying it: a visible open-and-close). After it, the port queues until the frame listens.
          if (handed) port.postMessage({ v: 1, type: open ? 'open' : 'close' } satisfies CommandMessage);
        } else if (command == 'destroy') {
          end();
        } else if (/^o(n|ff)$/.test(command) && typeof fn == 'function') {
          // `on` twice keeps one copy, as addEventListener does. An inherited name (toString…) has no
          // `filter` and throws.
          handlers[event as string] = (handlers[event as string] || []).filter((f) => f != fn).concat(command == 'on' ? (fn as KatavenHandler) : []);
        } else throw 0;
      } catch {
        warn('ignored Kataven(' + command + ')');
      }
    };
    api.loaded = 1;
    win.Kataven = api;
    // Replay the stub's queue in order; a bad entry is warned about and skipped, the rest goes on.
    for (const args of (stub && stub.q) || []) api.apply(0, args as Parameters<Kataven>);

    win.setTimeout(() => {
      if (!session) end('timeout', hub + ' did not answer in ' + __HANDSHAKE_TIMEOUT_S__ + ' s');
    }, __HANDSHAKE_TIMEOUT_MS__);
    let res: Response | undefined;
    let err: ErrorBody['error'] | undefined;
    // Every path of this async IIFE is inside try: it never rejects.
    (async () => {
      try {
        // A string body goes out as text/plain;charset=UTF-8 and there is no custom header: a CORS
        // simple request, so no preflight (Fetch, "CORS-safelisted request-header"). No cookies.
        res = await win.fetch(hub + HANDSHAKE_PATH, {
          method: 'POST',
          body: JSON.stringify({ client_key: key } satisfies HandshakeRequest),
          credentials: 'omit',
        });
        const body = await res.json().catch(() => 0);
        err = body.error;
        if (!res.ok) throw 0;
        session = body;
        // An async script may run from <head> before <body> exists.
        if (!doc.body) await new Promise((r) => doc.addEventListener('DOMContentLoaded', r));
        // Destroyed (also by a queued destroy), or given up on while the body was read.
        if (dead) return;
        // Sandbox flags are read when the iframe navigates, so they are set before `src` and insertion.
        // `sandbox` is [PutForwards=value]: assigning the string sets the attribute.
        (frame as { sandbox: unknown }).sandbox = 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox';
        frame.allow = 'clipboard-write';
        // A 200 without an agent throws here and ends as bad_response.
        frame.title = 'Chat with ' + body.agent.name;
        frame.src = body.frame_url;
        // CSSOM properties only, never a style attribute string or cssText: a page whose CSP lacks
        // 'unsafe-inline' in style-src (or style-src-attr) refuses those, while CSSOM writes are not
        // subject to CSP. Object.assign runs each setter like `frame.style.position = 'fixed'`, and
        // numbers go through their ToString (0 → "0", 2147483e3 → "2147483000"). An iframe element's
        // background is transparent already.
        Object.assign(frame.style, {
          position: 'fixed',
          bottom: 0,
          [left ? 'left' : 'right']: 0,
          border: 0,
          // When the iframe element's used color scheme differs from the frame document's, browsers
          // paint an opaque canvas behind the frame (css-color-adjust-1, "color-scheme-effect"; Chromium
          // is where most pages show it). The frame document uses `normal` too.
          colorScheme: 'normal',
          zIndex: 2147483e3,
          // `visibility`, not `display: none`: the frame still loads and lays out (Firefox before 62
          // gave display:none iframes no computed style, bug 548397) but nothing flashes until it says
          // `ready`. Fixed position: no layout shift.
          visibility: 'hidden',
          // The open height is min(680px, 100%), written as height + max-height: engines before 2020
          // (and happy-dom) refuse min() in a CSSOM write, which would leave the panel without a height.
          maxHeight: '100%',
        });
        resize();
        // addEventListener, never `onmessage =`: the page's own handler stays (Chatwoot replaced it).
        win.addEventListener('message', onMessage);
        // No `passive` option: it only changes cancelable events (touch, wheel), and resize is not one.
        win.addEventListener('resize', resize);
        doc.body.appendChild(frame);
        // A page CSP without our hub in frame-src blocks the frame with no event the parent can see
        // (browsers still fire `load`), so silence is the only signal.
        win.setTimeout(() => {
          if (!ready) end('frame_timeout', 'the frame did not load; allow frame-src ' + hub + ' in the page CSP');
        }, __FRAME_READY_TIMEOUT_MS__);
      } catch {
        if (err && err.type) end(err.type as KatavenError['type'], err.message);
        // With a response in hand, whatever went wrong was in what the hub sent.
        else if (res) end('bad_response', 'the hub answered HTTP ' + res.status + ' with an unreadable body');
        else end('network_error', 'could not reach ' + hub + '; check the script src and that the hub is up');
      }
    })();
  } catch (e) {
    warn('widget not shown: ' + e);
  }
}
