/**
 * Every message between the host page (loader) and the widget frame. One typed entry each; both sides
 * import this file. Every message carries `v: 1`.
 *
 * Handover: the frame posts `hello` to `window.parent` with targetOrigin = the validated page origin.
 * The loader checks `event.origin === hub origin` and `event.source === iframe.contentWindow`, then posts
 * `init` with targetOrigin = hub origin, transferring one MessagePort. Every later message travels on that
 * private port, in both directions.
 */
export const PROTOCOL_VERSION = 1;

import type { AgentPublic } from './handshake.js';

/** Frame → page, over window.postMessage: "I am loaded, hand me the session". */
export interface HelloMessage { v: 1; type: 'hello' }

/** Page → frame, over window.postMessage with one transferred MessagePort: the session. */
export interface InitMessage {
  v: 1;
  type: 'init';
  session_token: string;
  expires_at: string;
  agent: AgentPublic;
  /** `open` when the host asked for the panel before the frame was ready (data-open, queued open). */
  open: boolean;
}

/** Frame → page, on the port: the launcher is painted; the page may show the iframe. */
export interface ReadyMessage { v: 1; type: 'ready' }

/** Frame → page, on the port: the panel opened or closed (by the visitor or by a command). */
export interface StateMessage { v: 1; type: 'state'; open: boolean }

/** Page → frame, on the port: the host page asks to open or close the panel. */
export interface CommandMessage { v: 1; type: 'open' | 'close' }

export type PageToFrame = InitMessage | CommandMessage;
export type FrameToPage = HelloMessage | ReadyMessage | StateMessage;
