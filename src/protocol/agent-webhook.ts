/**
 * The hub ⇄ agent contract ("Kataven Agent Webhook v1"): what the hub POSTs to an agent's `webhook_url`,
 * and the three ways the agent may answer. Types and constants only; docs/agents.md is the prose.
 *
 * Request: `POST webhook_url`, `content-type: application/json`, `accept: text/event-stream,
 * application/json`, signed per Standard Webhooks (https://www.standardwebhooks.com/):
 * `webhook-id`, `webhook-timestamp` (unix seconds), `webhook-signature: v1,<base64 HMAC-SHA256(key,
 * "<id>.<timestamp>.<raw body>")>`, where key = base64-decode(secret without its `whsec_` prefix).
 *
 * Answers:
 *   1. `200 application/json` `{ "reply": "markdown" }`;
 *   2. `200 text/event-stream`: `event: delta` `data: {"text":"…"}` …, optional `event: status`
 *      `data: {"text":"…"}`, then `event: done` (or `event: error` `data: {"message":"…"}`);
 *   3. `202 Accepted`: the agent (or a person) answers later with
 *      `POST /api/v1/conversations/{id}/messages { text, author_name? }` and the account's secret key.
 */
import type { VisitorIdentity } from './identity.js';
import type { ChatMessage } from './widget-api.js';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Standard Webhooks header names. */
export const WEBHOOK_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

/** The longest an agent's whole answer may take, streamed or not; the hub then fails it as `agent_timeout`. */
export const AGENT_TOTAL_TIMEOUT_MS = 120_000;

/** Receivers should refuse a `webhook-timestamp` further than this from their clock (replay window). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Longest agent reply the hub keeps, in characters: larger than a visitor message (`MAX_MESSAGE_LENGTH`)
 * because answers with code or lists run long, bounded so that one agent cannot fill the store or a frame.
 * A reply that passes it ends in `message.failed` (`agent_too_long`) with the first part kept.
 */
export const MAX_AGENT_REPLY_LENGTH = 16_000;

/** Longest `status` line shown to the visitor, in characters; a longer one is cut. */
export const MAX_AGENT_STATUS_LENGTH = 200;

/** Most bytes of `context.reported` (JSON) the hub forwards; the page's `Kataven('context', …)` is cut to it. */
export const MAX_REPORTED_CONTEXT_BYTES = 2048;

export interface MessageCreatedEvent {
  type: 'message.created';
  agent_id: string;
  conversation_id: string;
  widget_key_id: string;
  /**
   * The visitor message this turn answers: the latest one. When several were sent while a reply was in
   * flight, one turn answers them all: the earlier ones are the end of `history`.
   */
  message: ChatMessage;
  /** The conversation before `message`, oldest first (at most the last 20). */
  history: ChatMessage[];
  /**
   * Who is writing: a visitor the site signed in (docs/identity.md: `id` is the site's own user id, the
   * visitor token's `sub`, verified by the hub), or `{ verified: false }` for an anonymous one.
   */
  visitor: VisitorIdentity;
  context: {
    /** The page origin, verified by the handshake against the key's allowlist. */
    origin: string;
    /** Whatever the host page passed with `Kataven('context', …)`: reported by the page, never verified. */
    reported: Record<string, unknown> | null;
  };
}

/** Event names an agent may send on a `text/event-stream` answer. */
export type AgentStreamEvent = 'delta' | 'status' | 'done' | 'error';
