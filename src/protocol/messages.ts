/**
 * Every message between the host page (loader) and the widget frame. One typed entry each; both sides
 * import this file. Every message carries `v: 1`.
 *
 * Handover: once the handshake has answered and the iframe's `load` event has fired (the frame's script,
 * which listens for `init`, has run), the loader posts `init` to `iframe.contentWindow` with targetOrigin =
 * hub origin, transferring one MessagePort: the browser delivers it only to a hub document. The frame
 * accepts it only from `window.parent` and the validated page origin. Every later message travels on that
 * private port, in both directions. The loader listens to no window messages at all.
 *
 * The frame still posts `hello` to `window.parent` (targetOrigin = the validated page origin) when it
 * starts: loaders built before the parallel frame (pinned by hash with Subresource Integrity, or cached
 * for their 5 minutes) hand over on that `hello` instead of `load`.
 */
export const PROTOCOL_VERSION = 1;

import type { AgentPublic } from './handshake.js';

/** Frame → page, over window.postMessage: "I am loaded, hand me the session" (for loaders before the parallel frame). */
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
