/**
 * The live conversation, frame ⇄ hub: what the visitor posts, and the event stream everything the
 * visitor sees arrives on. Types and constants only; the hub produces these events, the frame reads them.
 *
 * Posting answers at once with the stored visitor message, before the agent answers; the agent's reply
 * (whole, streamed, or hours later from a person) arrives on the stream:
 *
 *   POST {conversations}/{id}/messages  { text, client_message_id?, context? }  → 202 { message: ChatMessage }
 *   GET  {conversations}/{id}/events    Authorization: Bearer <session>, Last-Event-ID?  → text/event-stream
 *
 * The frame reads the stream with `fetch` (never EventSource: the token never goes in a URL). Each event
 * is `id: <EventId>`, `event: <name>`, `data: <JSON>`; comment lines (`: hb`) are heartbeats to ignore.
 *
 * Resuming: send the last `id:` seen as `Last-Event-ID` (or the list's `last_event_id`); the hub replays
 * what happened since, so the reader ends with exactly the conversation's state: no loss, no repeats.
 * Without it the stream starts with the whole conversation. A replayed message arrives as
 * `message.created` when the reader never saw it (its `status` says whether it is final), as
 * `message.completed` / `message.failed` when it ended meanwhile (a reader without a copy adds it), and a
 * reply still streaming as `message.delta` with the text past what the reader has. `agent.status` is
 * not replayed: it describes the moment only.
 *
 * Event ids are opaque to the reader (the hub's form is `<sequence>` or `<sequence>.<characters>`: the
 * conversation's count of stored changes, and how much of the streaming reply the reader has).
 */
import type { ChatMessage } from './widget-api.js';

/** Every event name the stream carries, with its `data`. */
export interface ConversationEvents {
  /** A whole message appeared: the visitor's (another tab's), an agent reply starting (`status: 'streaming'`, text so far), or a person's. */
  'message.created': { message: ChatMessage };
  /** More text of a streaming agent message, to append to what the reader has. */
  'message.delta': { message_id: string; text: string };
  /** The message is final: replace the reader's copy with this one. */
  'message.completed': { message: ChatMessage };
  /** The reply failed: the partial text (if any) is kept and marked; `error.message` is for the visitor. */
  'message.failed': { message_id: string; error: { type: AgentFailureType; message: string }; message: ChatMessage };
  /**
   * What the agent is doing ("Searching the catalogue…"). An empty text clears it and says nobody is
   * writing now: the hub sends one when the agent answered 202 (it, or a person, writes back later).
   */
  'agent.status': { text: string };
  /**
   * Who answers: `taken_over_by` is the name of a person who took the conversation over (the agent is
   * not called until they hand it back), null when the agent answers. Sent at the start of every stream
   * and whenever it changes; like `agent.status`, not replayed: it is the state now.
   */
  'conversation.updated': { taken_over_by: string | null };
  /**
   * The stream is over (session expired, key revoked or disabled): do not reconnect with this session;
   * after `session_expired`, reconnect with a fresh one and `Last-Event-ID`. A stream that ends without
   * it (a hub restart, a reader too slow to keep up) is to be resumed at once.
   */
  'stream.closed': { reason: 'session_expired' | 'key_disabled' | 'key_not_found' | 'origin_not_allowed' };
}

export type ConversationEventName = keyof ConversationEvents;

export type ConversationEvent = { [K in ConversationEventName]: { event: K; id: string; data: ConversationEvents[K] } }[ConversationEventName];

/** Why an agent reply failed, as the visitor's side sees it (the owner's detail goes to the hub log only). */
export const AGENT_FAILURE_TYPES = ['agent_timeout', 'agent_unavailable', 'agent_bad_answer', 'agent_too_long', 'hub_restarted'] as const;
export type AgentFailureType = (typeof AGENT_FAILURE_TYPES)[number];

/** Seconds between heartbeat comments: below the 30–60 s idle cut of common proxies. */
export const HEARTBEAT_SECONDS = 15;

/** Longest `client_message_id` the hub accepts (printable ASCII, no spaces); the frame uses a random UUID. */
export const MAX_CLIENT_MESSAGE_ID_LENGTH = 64;

/** Printable ASCII without spaces (a UUID fits): nothing the store could refuse (NUL) or a log could garble. */
export const CLIENT_MESSAGE_ID_PATTERN = '^[\\x21-\\x7e]+$';
