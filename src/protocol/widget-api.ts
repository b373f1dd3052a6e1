/**
 * The frame's API on the hub, authorised by `Authorization: Bearer <session token>`. The frame is served
 * from the hub's origin, so these are same-origin requests. A session can do only what an anonymous
 * visitor of the customer's site may do.
 */

export const WIDGET_API = {
  /** POST: a fresh token before the current one expires. Re-checks that the key is enabled and the origin still allowed. */
  session: '/api/v1/widget/session',
  /** POST `{}` → 201 `Conversation`. */
  conversations: '/api/v1/widget/conversations',
  /** GET → `{ data: ChatMessage[] }` (oldest first); POST `{ text }` → 201 `{ data: [visitor message, agent reply] }`. */
  messages: (conversationId: string) => `/api/v1/widget/conversations/${encodeURIComponent(conversationId)}/messages`,
} as const;

/** Longest visitor message accepted, in characters. */
export const MAX_MESSAGE_LENGTH = 4000;

/** The largest request body these endpoints take, in bytes: a message of MAX_MESSAGE_LENGTH characters fits. */
export const WIDGET_API_BODY_LIMIT = 16 * 1024;

/**
 * How long the frame waits for any answer of these endpoints. The hub's webhook timeout is capped below
 * it (src/hub/config.ts), so a slow agent ends in the hub's 502 `agent_unavailable`, not in a frame timeout.
 */
export const FRAME_REPLY_TIMEOUT_MS = 45_000;

export interface SessionRefresh {
  session_token: string;
  expires_at: string;
}

export interface Conversation {
  id: string;
  created_at: string;
}

/** `person`: a human who took over, posting through the Admin API (`author_name` says who). */
export type MessageRole = 'visitor' | 'agent' | 'person';

/** `streaming`: an agent reply still being written; `failed`: it ended in an error (partial text kept). */
export type MessageStatus = 'streaming' | 'completed' | 'failed';

export interface ChatMessage {
  id: string;
  role: MessageRole;
  text: string;
  created_at: string;
  /** Absent on stores written before live conversations: completed. */
  status?: MessageStatus;
  author_name?: string | null;
}

export interface MessageList {
  data: ChatMessage[];
}

/**
 * Error types the frame may meet besides the handshake's: `session_invalid` (401: token expired or forged;
 * refresh by a new handshake), `session_ended` (401, from the session refresh: the session reached its
 * lifetime; only a new handshake continues), `conversation_not_found` (404: start a new one), `agent_unavailable` (502:
 * the agent's webhook failed or timed out; the visitor's message was kept), `rate_limited` (429).
 */
export type WidgetErrorType = 'session_invalid' | 'session_ended' | 'conversation_not_found' | 'agent_unavailable' | 'rate_limited';
