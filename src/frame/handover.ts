/**
 * The frame's half of the handover (see `src/protocol/messages.ts`): say `hello` to the page, take our
 * end of the channel from one `init`, and from then on talk only over that port: the session, the
 * page's commands, our events.
 */
import type {
  CommandMessage,
  FrameCommandName,
  FrameToPage,
  HelloMessage,
  LegacyInitMessage,
  PageToFrame,
  SessionMessage,
} from '../protocol/messages.js';

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

/** The session fields of SessionMessage (or of a LegacyInitMessage), each of the right kind. */
function hasSession(d: any): boolean {
  const a = d.agent;
  return (
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
 * without a word. `onInit` runs at most once; `legacy` is set when the `init` carries the session itself
 * (a loader of an earlier build).
 */
export function awaitInit(
  win: Pick<Window, 'addEventListener' | 'removeEventListener'>,
  parent: Pick<Window, 'postMessage'>,
  origin: string,
  onInit: (port: Port, legacy?: LegacyInitMessage) => void,
): void {
  const onMessage = (e: MessageEvent) => {
    const port = e.ports && e.ports[0];
    const d = e.data;
    if (e.source !== parent || e.origin !== origin || !port || !d || d.v !== 1 || d.type !== 'init') return;
    // addEventListener, never `onmessage =` (DESIGN: the page's or anyone's handler must stay).
    win.removeEventListener('message', onMessage);
    onInit(port, hasSession(d) ? (d as LegacyInitMessage) : undefined);
  };
  win.addEventListener('message', onMessage);
  const hello: HelloMessage = { v: 1, type: 'hello' };
  try {
    parent.postMessage(hello, origin);
  } catch {}
}

export interface PageHandlers {
  onSession(session: SessionMessage): void;
  onCommand(name: Exclude<FrameCommandName, 'context' | 'identify' | 'logout'>): void;
  /** `Kataven('identify', token)`: the token as the page gave it, unchecked; `Kataven('logout')`: `undefined`. */
  onIdentity(token: unknown, logout: boolean): void;
  /** `Kataven('context', …)`: the value as the page gave it, unchecked (context.ts checks it). */
  onContext(context: unknown): void;
  /** A command of a name this frame does not serve (a typo, or one of a later build). */
  onUnknown(name: unknown): void;
}

/**
 * Our end of the channel, started at once (what the page posted before the handover was queued on it):
 * the session and the page's commands in, typed sends out. Anything else is ignored.
 */
export function connect(port: Port, on: PageHandlers) {
  port.addEventListener('message', (e: MessageEvent<PageToFrame>) => {
    const d = e.data;
    if (!d || d.v !== 1) return;
    if (d.type === 'session') {
      if (hasSession(d)) on.onSession(d);
    } else if (d.type === 'command') command(d, on);
  });
  port.start();
  return {
    send(msg: FrameToPage) {
      try {
        port.postMessage(msg);
      } catch {}
    },
  };
}

function command(d: CommandMessage, on: PageHandlers) {
  const name = d.name as FrameCommandName;
  switch (name) {
    case 'open':
    case 'close':
    case 'toggle':
      return on.onCommand(name);
    case 'context':
      return on.onContext(d.arg);
    case 'identify':
    case 'logout':
      return on.onIdentity(d.arg, name == 'logout');
    default:
      name satisfies never;
      on.onUnknown(d.name);
  }
}
