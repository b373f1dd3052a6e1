/**
 * The frame's half of the handover (see `src/protocol/messages.ts`): say `hello` to the page, take the
 * session from one `init` carrying a MessagePort, and from then on talk only over that port.
 */
import type { FrameToPage, HelloMessage, InitMessage, PageToFrame } from '../protocol/messages.js';

/** What the frame needs of the port: our own end of the loader's MessageChannel. */
export type Port = Pick<MessagePort, 'postMessage' | 'addEventListener' | 'start'>;

/**
 * The page origin from the frame URL's `o`, if it is a plain `scheme://host[:port]` origin. The hub has
 * validated it already (it is in our `frame-ancestors`); this guards `postMessage`, which throws a
 * SyntaxError on a malformed targetOrigin.
 */
export function pageOrigin(search: string): string | null {
  const o = new URLSearchParams(search).get('o');
  try {
    if (o && /^https?:$/.test(new URL(o).protocol) && new URL(o).origin === o) return o;
  } catch {}
  return null;
}

function isInit(d: any): d is InitMessage {
  const a = d && d.agent;
  return (
    !!d &&
    d.v === 1 &&
    d.type === 'init' &&
    typeof d.session_token == 'string' &&
    typeof d.expires_at == 'string' &&
    !!a &&
    typeof a.name == 'string' &&
    typeof a.greeting == 'string' &&
    typeof a.accent_color == 'string'
  );
}

/**
 * Posts `hello` to `parent` with targetOrigin = `origin` exactly (never `'*'`: if the parent navigated
 * to another site, the browser drops it), then waits for the one `init` that comes from that very window
 * and origin with a port. Look-alikes from other windows or origins, or of another shape, are ignored
 * without a word. `onInit` runs at most once.
 */
export function awaitInit(
  win: Pick<Window, 'addEventListener' | 'removeEventListener'>,
  parent: Pick<Window, 'postMessage'>,
  origin: string,
  onInit: (init: InitMessage, port: Port) => void,
): void {
  const onMessage = (e: MessageEvent) => {
    const port = e.ports && e.ports[0];
    if (e.source !== parent || e.origin !== origin || !port || !isInit(e.data)) return;
    // addEventListener, never `onmessage =` (DESIGN: the page's or anyone's handler must stay).
    win.removeEventListener('message', onMessage);
    onInit(e.data, port);
  };
  win.addEventListener('message', onMessage);
  const hello: HelloMessage = { v: 1, type: 'hello' };
  try {
    parent.postMessage(hello, origin);
  } catch {}
}

export interface PageHandlers {
  onCommand(open: boolean): void;
  /** `Kataven('context', …)`: the value as the page gave it, unchecked (context.ts checks it). */
  onContext(context: unknown): void;
}

/** Our end of the channel: typed sends, and the page's `open`/`close` commands and `context` (nothing else). */
export function connect(port: Port, on: PageHandlers) {
  port.addEventListener('message', (e: MessageEvent<PageToFrame>) => {
    const d = e.data;
    if (!d || d.v !== 1) return;
    if (d.type === 'open' || d.type === 'close') on.onCommand(d.type === 'open');
    else if (d.type === 'context') on.onContext(d.context);
  });
  return {
    /** Start delivering commands; until then the port queues them (HTML: port message queue). */
    start: () => port.start(),
    send(msg: FrameToPage) {
      try {
        port.postMessage(msg);
      } catch {}
    },
  };
}
