/**
 * The loader: read the config from our own <script> tag, mount the (hidden) frame and ask the hub for
 * a session at the same time, hand the session to the frame over a private MessageChannel, and serve
 * `window.Kataven(command, …)`. A thin pipe (src/protocol/messages.ts): what the page asks of the
 * widget goes to the frame as it is, and what the frame raises goes to the page's handlers as it is;
 * the loader acts itself only on what only it can do (show, size and remove the iframe, fail loudly).
 *
 * Error contract (instant.page style): nothing here throws into the host page and no promise is left
 * to reject. A failure leaves no iframe behind, prints exactly one `console.warn` line prefixed
 * `[kataven] ` that names the cause (and the fix, where there is one), and, once the API exists,
 * emits `error`.
 *
 * Hostile pages: the loader calls no built-in a page commonly replaces or breaks (Object.assign,
 * Array.prototype.forEach, JSON.stringify, Function.prototype.apply; the page's `fetch` is used, so a
 * broken one ends as network_error), and every style it writes is `!important` inline CSSOM, which no
 * page stylesheet can override.
 *
 * Size: dist/loader.js has a gzip budget (src/protocol/budgets.ts), and every byte here is paid on
 * every page view of every customer. So the code keeps what a page or a site owner can observe and
 * skips hygiene nobody can: timers are not cleared (each checks the phase when it runs), a handshake
 * given up on is not aborted, and browser features are not probed (see below). What a page can observe
 * after a teardown is undone: the iframe, the resize listener, the inert host body.
 */
import type { KatavenError, KatavenEventName, KatavenEvents, KatavenHandler } from '../protocol/browser-api.js';
import type { ErrorBody } from '../protocol/errors.js';
import { FULL_SCREEN_BELOW, LAUNCHER_BOX, LAUNCHER_INSET, PANEL_HEIGHT, PANEL_WIDTH } from '../protocol/geometry.js';
import type { CommandMessage, FrameToPage, InitMessage, SessionMessage } from '../protocol/messages.js';

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
  /** Set on the real API only (0 once destroyed): a second copy of the loader sees 1 and stands down. */
  loaded?: 0 | 1;
}

export type LoaderWindow = Window & typeof globalThis & { Kataven?: Kataven };

export const boot = (script: HTMLScriptElement | null, win: LoaderWindow): void => {
  // A page may stub or break console; our warning must never be the thing that throws (in the
  // async part that would become an unhandled rejection).
  const warn = (text: string) => {
    try {
      win.console.warn('[kataven] ' + text);
    } catch {}
  };
  try {
    const doc = win.document;
    const root = doc.documentElement;
    const stub = win.Kataven;
    // Checked on the real API, not on the stub: the snippet defines the stub on every page view.
    if (stub && stub.loaded) return warn('loaded twice; remove one <script> tag');
    // currentScript is null when the tag was run indirectly (some tag managers, Rocket Loader).
    // "Tag not found" and "attribute missing" have the same fix, so they share one message.
    script = script || doc.querySelector<HTMLScriptElement>('script[data-client-key]');
    const data = script ? script.dataset : {};
    const key = data.clientKey;
    if (!key) return warn('widget not shown: no data-client-key');
    // Every engine that can parse this ES2019 bundle has MessageChannel and fetch, so there is no
    // probe: a page that deleted MessageChannel fails right here, in the catch below, with the
    // engine's own words ("… MessageChannel is not a constructor"); one without fetch ends as a
    // network_error. An inline tag without src fails here too ("Invalid URL").
    const channel = new win.MessageChannel();
    const hub = new win.URL(script!.src).origin;
    const side = data.position == 'left' ? 'left' : 'right';
    /** The panel as the frame last reported it. */
    let open = false;
    /** 1 mounted (handshake running), 2 allowed (session sent), 3 ready (visible), 0 ended. */
    let phase = 1;
    const port = channel.port1;
    const frame = doc.createElement('iframe');
    // Handler sets by event name: `on` twice keeps one copy, as addEventListener does (and a page may
    // have broken Array.prototype.push). Each handler runs in a task of its own, like a DOM event
    // listener: one that throws is reported by the browser as the site's own error, and neither the
    // other handlers nor the loader notice. So no handler runs, and none can call on/off, while an emit
    // walks the set.
    const handlers: Record<string, Set<KatavenHandler>> = {};
    const emit = (name: KatavenEventName, detail?: KatavenEvents[KatavenEventName]) => {
      for (const f of handlers[name] || []) win.setTimeout(f, 0, detail);
    };
    // CSSOM with priority "important": CSP-safe (no style attribute string, which a style-src without
    // 'unsafe-inline' refuses), and it beats every page rule, `!important` ones included (CSS Cascade 4:
    // an important inline declaration wins over important author rules), such as the responsive-embed
    // resets of CMS themes (`iframe { width: 100% !important }`) or `* { all: unset }`.
    // A number is written as its string (WebIDL converts it for `setProperty`'s DOMString value).
    const css = (styles: Record<string, string | number>) => {
      for (const name in styles) frame.style.setProperty(name, styles[name] as string, 'important');
    };

    // Closed: the launcher box. Open: a panel of PANEL_WIDTH × PANEL_HEIGHT in the corner (the frame
    // draws its launcher, now the close button, where it was), or full screen when narrower than
    // FULL_SCREEN_BELOW; then the host body is inert, so neither focus nor the accessibility tree
    // reaches the host content under the panel (WCAG 2.4.11). The iframe is not in <body> (see below),
    // so it stays live.
    // Full screen is the full width and the visual viewport's height, at the bottom of the layout
    // viewport: an on-screen keyboard that shrinks only the visual viewport (iOS Safari, Chrome's
    // default `resizes-visual`) leaves `100%` and `fixed` to the layout viewport, under the keyboard.
    // The browser then pans the visual viewport down to the focused composer, at the panel's bottom,
    // which shows the panel whole: its header too. So the visual viewport's `resize` is the one event
    // to follow (it also fires for every window resize); its `scroll` need not be.
    const vv = win.visualViewport!;
    const resize = () => {
      const full = open && win.innerWidth < FULL_SCREEN_BELOW;
      const inset = (open ? 0 : LAUNCHER_INSET) + 'px';
      css({
        width: full ? '100%' : (open ? PANEL_WIDTH : LAUNCHER_BOX) + 'px',
        height: (full ? vv.height : open ? PANEL_HEIGHT : LAUNCHER_BOX) + 'px',
        bottom: inset,
        [side]: inset,
      });
      // The tag may run in <head>, before <body> exists; nothing is open then.
      if (doc.body) doc.body.inert = full;
    };

    /**
     * Tears everything down, once: the iframe, the port, the resize listener and the inert host body.
     * With a `type` it is a failure: one warning, then `error`; the claim on `window.Kataven` stays, so
     * a tag added again on the same page view stands down instead of asking the hub again. Without one
     * (destroy, or the page removed the iframe) the claim goes too: the tag added again (a single-page
     * app's next login) mounts a fresh widget. Calls until then do nothing.
     */
    const end = (type?: KatavenError['type'], message?: string) => {
      if (!phase) return;
      phase = 0;
      port.close();
      frame.remove();
      vv.removeEventListener('resize', resize);
      open = false;
      resize();
      if (type) {
        warn('widget not shown: ' + message + ' (' + type + ')');
        emit('error', { type, message: message! });
      } else api.loaded = 0;
    };

    // The frame's document has loaded: its script, which listens for `init`, has run. (A frame the page
    // CSP blocked loads an error page instead; `init` then reaches nobody and frame_timeout says why.)
    // Exact targetOrigin, never '*': if the frame navigated elsewhere the browser drops the port. What
    // the port carries (the session, commands) waits in its queue until the frame starts it. Once: a
    // port can be transferred only once.
    // No window `message` listener at all: nothing another window posts can reach the loader.
    frame.onload = () => {
      frame.onload = null;
      frame.contentWindow!.postMessage({ v: 1, type: 'init' } satisfies InitMessage, hub, [channel.port2]);
    };

    // The port is private to our frame, so its messages need no origin check.
    port.onmessage = (e: MessageEvent<FrameToPage>) => {
      const d = e.data;
      if (d.type == 'ready') {
        phase = 3;
        // Written, not removed: `important` like the rest, so no page rule hides the widget either.
        css({ visibility: 'visible' });
        emit(d.type);
      } else if (d.type == 'state') {
        open = d.open;
        resize();
        emit(open ? 'open' : 'close');
        // An event of the frame's (`message`…), as it is. (`hello` goes to the window, never here.)
      } else emit(d.name, d.detail);
    };

    const api: Kataven = (command, arg, fn) => {
      // Every bad call (no function for on/off, an argument structured clone refuses) lands in catch:
      // warned, skipped.
      try {
        if (command == 'destroy') end();
        else if (command == 'on' || command == 'off') {
          if (typeof fn != 'function') throw 0;
          // An inherited name (toString…) is a function with no `add` or `delete`, and throws.
          (handlers[arg as string] ||= new win.Set())[command == 'on' ? 'add' : 'delete'](fn as KatavenHandler);
        } else {
          // Any other command is the frame's business, passed on as it is (so a new one costs the loader
          // nothing); the frame warns about a name it does not know. An argument that structured clone
          // refuses (a function, a DOM node) throws a DataCloneError here. Before the handover the port
          // queues it, in order, until the frame starts its end.
          port.postMessage({ v: 1, type: 'command', name: command, arg } satisfies CommandMessage);
        }
      } catch {
        warn('ignored Kataven(' + command + ')');
      }
    };
    api.loaded = 1;
    win.Kataven = api;
    // data-open is an `open` before any other command: the frame applies it as an automatic open.
    if (data.open == 'true') api('open');
    // Replay the stub's queue in order; a bad entry is warned about and skipped, the rest goes on.
    // Indexed, not spread or `apply`: a page may have replaced Function.prototype.apply.
    for (const a of (stub && stub.q) || []) api(a[0] as string, a[1], a[2]);
    // A queued destroy: nothing to mount.
    if (!phase) return;

    // The frame loads while the handshake runs (the floor of two round trips: the loader, then both
    // at once). It knows the page origin and the key, so the hub can answer with frame-ancestors for
    // this page, or refuse; it stays hidden, and gets no session, until the handshake allows it.
    // Sandbox flags are read when the iframe navigates, so they are set before `src` and insertion.
    // `sandbox` is [PutForwards=value]: assigning the string sets the attribute. (setAttribute skips the
    // DOMTokenList but is no cheaper: the browser's work moves to the `src` write, for 9 B more;
    // docs/performance.md, "Less browser work in the loader".)
    (frame as { sandbox: unknown }).sandbox = 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox';
    frame.allow = __FRAME_ALLOW__;
    frame.src = hub + __FRAME_PATH__ + '?k=' + key + '&o=' + win.location.origin;
    css({
      position: 'fixed',
      // Whatever a page rule puts on iframes (borders, margins, the other corner, a max-width) is
      // undone; resize() then sets the size and the corner.
      inset: 'auto',
      // The open height is min(PANEL_HEIGHT, 100%), written as height + max-height: engines before 2020
      // (and happy-dom) refuse min() in a CSSOM write, which would leave the panel without a height.
      'max-height': '100%',
      'max-width': '100%',
      'min-height': 0,
      margin: 0,
      border: 0,
      // When the iframe element's used color scheme differs from the frame document's, browsers
      // paint an opaque canvas behind the frame (css-color-adjust-1, "color-scheme-effect"; Chromium
      // is where most pages show it). The frame document uses `normal` too.
      'color-scheme': 'normal',
      'z-index': 2147483000,
      // `visibility`, not `display: none`: the frame still loads and lays out (Firefox before 62
      // gave display:none iframes no computed style, bug 548397) but nothing flashes until it says
      // `ready`. Fixed position: no layout shift.
      visibility: 'hidden',
    });
    resize();
    // A page that takes the iframe out (a framework re-rendering the document) has ended the widget: it
    // is destroyed, so the tag added again mounts a fresh one. A resize observer reports an element
    // entering and leaving the document; this one costs 26 B gzip less than a MutationObserver on <html>.
    // Observed before insertion, so an engine without it (before Safari 13.1) fails with no iframe left;
    // so does one without `visualViewport` (Firefox before 91), on the listener just below.
    new win.ResizeObserver(() => frame.isConnected || end()).observe(frame);
    // No `passive` option: it only changes cancelable events (touch, wheel), and resize is not one.
    vv.addEventListener('resize', resize);
    // On <html>, not <body>: a transformed, filtered or contained body (`transform`, `filter`,
    // `contain`, `will-change`, `perspective`) becomes the containing block of fixed descendants, and
    // the widget would scroll away with the page. <html> exists even while a tag in <head> runs.
    root.appendChild(frame);

    win.setTimeout(() => {
      if (phase < 2) end('timeout', hub + ' did not answer in ' + __HANDSHAKE_TIMEOUT_S__ + ' s');
    }, __HANDSHAKE_TIMEOUT_MS__);
    let res: Response | undefined;
    let err: ErrorBody['error'] | undefined;
    // Every path of this async IIFE is inside try: it never rejects.
    (async () => {
      try {
        // A string body goes out as text/plain;charset=UTF-8 and there is no custom header: a CORS
        // simple request, so no preflight (Fetch, "CORS-safelisted request-header"). No cookies: the
        // default credentials mode, same-origin, sends none to a hub on another origin. (A hub on the
        // page's own origin would get them, as it gets them with loader.js and the frame, which no
        // option of this request can stop; so `credentials: 'omit'` bought nothing for its 10 B.)
        // Concatenated, not JSON.stringify (pages replace it): a key with a quote in it makes the body
        // unreadable, and the hub's answer to that is the right one, key_malformed.
        res = await win.fetch(hub + __HANDSHAKE_PATH__, {
          method: 'POST',
          body: '{"client_key":"' + key + '"}',
        });
        // A body that is not JSON rejects here, into the catch below: bad_response.
        const body = await res.json();
        err = body.error;
        // Destroyed meanwhile: nothing to hand over (and phase 0 must stay).
        if (!res.ok || !phase) throw 0;
        // A 200 without an agent throws here and ends as bad_response. The title is in the visitor's
        // language: the hub chose it, as it chose the frame's.
        frame.title = body.agent.title;
        phase = 2;
        // The token travels only on the port, never in a URL or a window message.
        port.postMessage({ ...body, v: 1, type: 'session', narrow: win.innerWidth < FULL_SCREEN_BELOW, side } satisfies SessionMessage);
        // A page CSP without our hub in frame-src blocks the frame with no event the parent can see
        // (browsers still fire `load`), so silence is the only signal.
        win.setTimeout(() => {
          if (phase < 3) end('frame_timeout', 'frame blocked; allow frame-src ' + hub + ' in the page CSP');
        }, __FRAME_READY_TIMEOUT_MS__);
      } catch {
        // The hub's own reason when it gave one. Else, with a response in hand, whatever went wrong was
        // in what the hub sent. The README's warnings table says what to do for each type.
        if (err && err.type) end(err.type as KatavenError['type'], err.message);
        else end(res ? 'bad_response' : 'network_error', (res ? 'HTTP ' + res.status + ' from ' : 'could not reach ') + hub);
      }
    })();
  } catch (e) {
    warn('widget not shown: ' + e);
  }
};
