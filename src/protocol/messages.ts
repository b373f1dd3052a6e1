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

/**
 * Page → frame, on the port: `Kataven('context', {…})`, what the page wants the agent to know (a cart,
 * a page name). The frame keeps the latest, cut to MAX_REPORTED_CONTEXT_BYTES of JSON
 * (agent-webhook.ts), and sends it with each message; the hub passes it on as reported, never verified.
 */
export interface ContextMessage { v: 1; type: 'context'; context: unknown }

/**
 * Frame → page, on the port: an agent's or a person's message is complete (live, not history), so the
 * loader emits `Kataven('on', 'message', fn)` with `{ role, text }` (text as written: markdown).
 */
export interface ReplyMessage { v: 1; type: 'message'; role: 'agent' | 'person'; text: string }

export type PageToFrame = InitMessage | CommandMessage | ContextMessage;
export type FrameToPage = HelloMessage | ReadyMessage | StateMessage | ReplyMessage;
