/**
 * The frame's API on the hub, authorised by `Authorization: Bearer <session token>`. The frame is served
 * from the hub's origin, so these are same-origin requests. A session can do only what an anonymous
 * visitor of the customer's site may do.
 */

export const WIDGET_API = {
  /** POST: a fresh token before the current one expires. Re-checks that the key is enabled and the origin still allowed. */
  session: '/api/v1/widget/session',
  /** POST `IdentifyBody` → `IdentifyResponse` (identity.ts): a session bound to a verified visitor. */
  identify: '/api/v1/widget/identify',
  /** POST → `SessionRefresh`: an anonymous session in place of a verified one (`Kataven('logout')`). */
  logout: '/api/v1/widget/logout',
  /** POST `{}` → 201 `Conversation`. */
  conversations: '/api/v1/widget/conversations',
  /**
   * GET → `MessageList` (oldest first). POST `PostMessageBody` → 202 `PostedMessage` at once, before the
   * agent answers (the reply arrives on `events`). A repeated `client_message_id` gets the first message:
   * 202 when its reply had failed and a new one is on its way (Retry), 200 when nothing new starts.
   */
  messages: (conversationId: string) => `/api/v1/widget/conversations/${encodeURIComponent(conversationId)}/messages`,
  /** GET → `text/event-stream` of `ConversationEvents` (conversation-events.ts). */
  events: (conversationId: string) => `/api/v1/widget/conversations/${encodeURIComponent(conversationId)}/events`,
} as const;

/** Longest visitor message accepted, in characters. */
export const MAX_MESSAGE_LENGTH = 4000;

/** The largest request body these endpoints take, in bytes: a message of MAX_MESSAGE_LENGTH characters fits. */
export const WIDGET_API_BODY_LIMIT = 16 * 1024;

/**
 * How long the frame waits for any answer of these endpoints. The hub answers each at once: a reply,
 * however slow the agent, arrives on the events stream instead (conversation-events.ts).
 */
export const WIDGET_API_TIMEOUT_MS = 20_000;

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
  status: MessageStatus;
  /** Who wrote it, when a person posted it through the Admin API; null otherwise. */
  author_name: string | null;
}

export interface MessageList {
  data: ChatMessage[];
  /**
   * The events stream's position right after this list: send it as `Last-Event-ID` to get, without
   * loss or repeats, everything that happened since (a streaming reply's text included).
   */
  last_event_id: string;
}

export interface PostMessageBody {
  text: string;
  /**
   * A random id per message the visitor typed (a UUID). The same id again is answered with the first
   * message, never stored twice; when that message's reply failed, it asks the agent once more.
   */
  client_message_id?: string;
  /**
   * What the page reported with `Kataven('context', …)`: a JSON object of at most MAX_REPORTED_CONTEXT_BYTES
   * (agent-webhook.ts) of JSON, or null to clear it. The conversation keeps the latest; omitted, it stays.
   */
  context?: Record<string, unknown> | null;
}

export interface PostedMessage {
  message: ChatMessage;
}

/**
 * Error types the frame may meet besides the handshake's: `session_invalid` (401: token expired or forged;
 * refresh by a new handshake), `session_ended` (401, from the session refresh: the session reached its
 * lifetime; only a new handshake continues), `conversation_not_found` (404: start a new one),
 * `rate_limited` (429). Agent failures no longer answer a request: they arrive on the events stream as
 * `message.failed`.
 */
export type WidgetErrorType = 'session_invalid' | 'session_ended' | 'conversation_not_found' | 'rate_limited';
