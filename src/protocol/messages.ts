/**
 * Every message between the host page (loader) and the widget frame. One typed entry each; both sides
 * import this file. Every message carries `v: 1`.
 *
 * The loader is a thin pipe; the frame owns what things mean (the panel's state, what a command does,
 * which events there are), because every loader byte is paid on every customer page view.
 *
 * Handover: once the iframe's `load` event has fired (the frame's script, which listens for `init`, has
 * run), the loader posts `init` to `iframe.contentWindow` with targetOrigin = hub origin, transferring
 * one end of a MessageChannel: the browser delivers it only to a hub document. The frame accepts it only
 * from `window.parent` and the validated page origin. Everything else travels on that private port, in
 * both directions and in order, the session too (the token is never in a window message). The loader
 * listens to no window messages at all.
 *
 * The loader posts on its end from the start: a port queues what it receives until the other end is
 * started (HTML, "port message queue"), so the frame reads, in the order the page gave them, the
 * commands given before the handshake answered, then `session` once the hub allowed this page, then the
 * rest. The frame starts the port at once and holds every command until it has said `ready`.
 *
 * The frame still posts `hello` to `window.parent` (targetOrigin = the validated page origin) when it
 * starts, and takes the session in `init` itself (LegacyInitMessage), for loaders of an earlier build
 * (cached for their 5 minutes, or served by a hub instance not yet upgraded).
 */
export const PROTOCOL_VERSION = 1;

import type { KatavenEvents } from './browser-api.js';
import type { AgentPublic } from './handshake.js';
import type { IdentityMode } from './identity.js';
import type { KeyMode } from './keys.js';

/** Frame → page, over window.postMessage: "I am loaded, hand me the session" (for loaders before the parallel frame). */
export interface HelloMessage { v: 1; type: 'hello' }

/** Page → frame, over window.postMessage with one transferred MessagePort: our end of the channel, nothing else. */
export interface InitMessage { v: 1; type: 'init' }

/** Page → frame, on the port, once the handshake allowed this page: the session (the handshake's answer). */
export interface SessionMessage {
  v: 1;
  type: 'session';
  session_token: string;
  expires_at: string;
  agent: AgentPublic;
  /** The key's verified-visitor mode; absent from hubs before it (read as `off`). */
  identity?: IdentityMode;
  /** The key's mode, from the handshake; loaders of an earlier build leave it out (then: live). */
  mode?: KeyMode;
  /**
   * The page's viewport is narrower than FULL_SCREEN_BELOW (a phone): an open there covers the whole
   * page, so an automatic one (data-open, or a command given before the frame said `ready`) must not
   * happen while focus stays in a host field. The launcher shows instead.
   */
  narrow: boolean;
  /** The corner the loader put the widget in (`data-position`): the frame draws its launcher there. */
  side?: 'left' | 'right';
}

/**
 * Page → frame, over window.postMessage with one transferred MessagePort, from loaders of an earlier
 * build: the session in the window message, `open` being data-open and the commands given before the
 * handover, folded (and false on a narrow viewport). Their later commands (`{ type: 'open' | 'close' }`)
 * and the `message` event are not understood across the two builds; the widget still shows and works.
 */
export interface LegacyInitMessage {
  v: 1;
  type: 'init';
  session_token: string;
  expires_at: string;
  agent: AgentPublic;
  open: boolean;
}

/** Frame → page, on the port: the launcher is in the frame's document; the page may show the iframe. */
export interface ReadyMessage { v: 1; type: 'ready' }

/** Frame → page, on the port: the panel opened or closed (by the visitor or by a command). */
export interface StateMessage { v: 1; type: 'state'; open: boolean }

/**
 * Page → frame, on the port: a `Kataven(name, arg)` call the loader passes on as it is, without knowing
 * what it means (every call but `on`, `off` and `destroy`, which the loader serves itself). One argument
 * at most: the loader passes on only the first (context's object, identify's token), so a list would
 * promise what it does not do. The frame serves the names of FrameCommandName and warns in the console
 * (`[kataven] ignored Kataven(name)`, the site's devtools show the frame's console) about any other:
 * - `open`, `close`, `toggle` (no argument): the panel as the page wants it; the frame applies it and
 *   answers with `state`. `data-open="true"` is an `open` before everything else. Given before the
 *   frame said `ready`, they are folded into one wish applied at `ready` without taking focus, and not
 *   at all on a narrow viewport (SessionMessage.narrow); never replayed one by one after the launcher
 *   showed (a visible open-and-close).
 * - `context` (`arg`: a JSON object): what the page wants the agent to know (a cart, a page name). The
 *   frame keeps the latest, cut to MAX_REPORTED_CONTEXT_BYTES of JSON (agent-webhook.ts), and sends it
 *   with each message; the hub passes it on as reported, never verified.
 * - `identify` (`arg`: the visitor token, a string): presented to the hub (WIDGET_API.identify); the
 *   session then speaks for that verified visitor, whose conversations the frame shows. Again with a new
 *   token on renewal. A refusal is an `error` event naming the check (identity.ts).
 * - `logout` (no argument): back to an anonymous session, and the conversation is forgotten in this
 *   browser: the next visitor on it sees none of it.
 *
 * `arg` went through structured clone: a value that cannot be cloned (a function, a DOM node) never
 * gets here, the loader warns `ignored Kataven(name)` instead. The frame checks `arg` as the untrusted
 * page input it is.
 */
export interface CommandMessage { v: 1; type: 'command'; name: string; arg?: unknown }

/** The commands the frame serves (CommandMessage). */
export type FrameCommandName = 'open' | 'close' | 'toggle' | 'context' | 'identify' | 'logout';

/**
 * Frame → page, on the port: an event for the page's `Kataven('on', name, fn)` handlers, which the
 * loader emits as it is (`detail` is the handlers' argument), so a new frame event costs the loader
 * nothing. The loader raises `ready`, `open`, `close` (from ReadyMessage and StateMessage) and `error`.
 * - `message` (KatavenReply): an agent's or a person's message is complete (live, not history).
 * - `error` (KatavenError, an `identity_…` type): a visitor token was refused; the widget stays.
 * - `identity_expired` (`{ expires_at }`): the visitor token runs out in IDENTITY_RENEW_BEFORE_MS.
 */
export type EventMessage = { [E in FrameEventName]: { v: 1; type: 'event'; name: E; detail: KatavenEvents[E] } }[FrameEventName];

/** The events of EventMessage. */
export type FrameEventName = 'message' | 'error' | 'identity_expired';

export type PageToFrame = SessionMessage | CommandMessage;
/** On the port; `hello` goes to the window. */
export type FrameToPage = ReadyMessage | StateMessage | EventMessage;
