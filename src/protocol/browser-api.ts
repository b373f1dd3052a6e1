/**
 * The host page's API: `window.Kataven(command, …args)`, served by the loader. Types only, so a site
 * owner's TypeScript can check its calls (`import type { KatavenApi } from 'kataven/browser'`, or the
 * global from `kataven/browser/global`); the loader implements it (src/loader/boot.ts).
 */
import type { HandshakeErrorType } from './handshake.js';
import type { IdentityErrorType } from './identity.js';

/**
 * Failures the loader names itself, when there is no refusal from the hub to pass on: `network_error`
 * (the hub could not be reached: wrong script src, hub down), `timeout` (no handshake answer in time),
 * `bad_response` (the answer was not a handshake response), `frame_timeout` (the frame never said it was
 * ready, usually a page CSP without the hub in `frame-src`).
 */
export type LoaderErrorType = 'network_error' | 'timeout' | 'bad_response' | 'frame_timeout';

/**
 * Argument of `error` handlers: the hub's refusal (`error.type` and `message`) or the loader's own. The
 * `identity_…` types come from the frame: a visitor token it could not verify (identity.ts names the
 * check); the widget stays on the page, with the visitor anonymous (or asked to sign in, when required).
 */
export interface KatavenError {
  type: HandshakeErrorType | LoaderErrorType | IdentityErrorType;
  message: string;
}

/** Argument of `message` handlers: an agent's or a person's message, complete (text as written: markdown). */
export interface KatavenReply {
  role: 'agent' | 'person';
  text: string;
}

/** Each event and the argument its handlers get. */
export interface KatavenEvents {
  /** The launcher is shown. */
  ready: void;
  /** The panel opened, by the visitor or by a command. */
  open: void;
  /** The panel closed, by the visitor or by a command. */
  close: void;
  /** The widget could not be shown; it has removed itself from the page. */
  error: KatavenError;
  /** A reply arrived in full while the page was open (not the history of earlier visits). */
  message: KatavenReply;
  /**
   * The visitor token given to `identify` expires soon (`expires_at`, a minute ahead): sign a new one and
   * pass it with `Kataven('identify', token)`, or the visitor's identity lapses then.
   */
  identity_expired: { expires_at: string };
}

export type KatavenEventName = keyof KatavenEvents;

export type KatavenHandler<E extends KatavenEventName = KatavenEventName> = (detail: KatavenEvents[E]) => void;

/**
 * Commands that take no argument. Before the widget is ready, open/close/toggle are remembered. `logout`
 * ends a verified visitor's session and forgets the conversation in this browser.
 */
export type KatavenCommand = 'open' | 'close' | 'toggle' | 'destroy' | 'logout';

/**
 * What the page tells the agent with `Kataven('context', …)`: a JSON object (a cart, a page name),
 * at most 2 KB of JSON (top-level entries beyond that are left out, with a console line saying which).
 * The agent gets the latest one with each visitor message, marked as reported by the page: never trust it.
 */
export type KatavenContext = Record<string, unknown>;

/**
 * `window.Kataven`, once the loader (or the queue stub before it) is on the page. A call never throws:
 * a bad one is skipped with one `[kataven]` warning in the console.
 */
export interface KatavenApi {
  (command: KatavenCommand): void;
  /** Replaces what the agent is told about the page; may be given before the widget is ready. */
  (command: 'context', context: KatavenContext): void;
  /**
   * Proves who the visitor is with a token your backend signed (docs/identity.md); before or after the
   * widget is ready, and again with a new token whenever it renews (`identity_expired`).
   */
  (command: 'identify', token: string): void;
  /** Adds a handler (`on` twice with the same function keeps one) or removes it. */
  <E extends KatavenEventName>(command: 'on' | 'off', event: E, handler: KatavenHandler<E>): void;
}
