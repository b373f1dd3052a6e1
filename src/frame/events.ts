/**
 * The conversation's event stream (src/protocol/conversation-events.ts), read with `fetch` and a
 * ReadableStream, never EventSource: EventSource cannot send `Authorization`, and the token never goes
 * in a URL. It resumes after a drop with `Last-Event-ID` (the hub replays from there: no loss, no
 * repeat), waiting a bounded, jittered backoff between attempts, and stops for good on `stream.closed`
 * or a 401 with a token the refresher has not replaced. Nothing here throws or rejects.
 */
import type { ConversationEvent, ConversationEvents } from '../protocol/conversation-events.js';
import type { Auth } from './api.js';

export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

/**
 * An incremental parser of `text/event-stream` (WHATWG HTML, "Server-sent events", 9.2.6): lines end in
 * CRLF, LF or CR (a CR at the end of a chunk may be half of a CRLF split across chunks), `:` starts a
 * comment, one space after the field's colon is dropped, `data` lines join with LF, a blank line
 * dispatches (an event without data is not), and an `id` becomes the id to resume from at that blank
 * line, not before: a drop in the middle of an event must resume before it. An id holding NUL is
 * ignored; so is `retry` (the backoff below is ours).
 */
export function sseParser(onEvent: (e: SseEvent) => void) {
  let buf = '';
  let lastId = '';
  let idBuf = '';
  let event = '';
  let data: string[] = [];
  // Stryker disable next-line BooleanLiteral: a stream that starts with a line feed starts with a blank line, which dispatches nothing
  let skipLf = false;

  const line = (l: string) => {
    if (!l) {
      lastId = idBuf;
      if (data.length) onEvent({ id: lastId, event: event || 'message', data: data.join('\n') });
      event = '';
      data = [];
      return;
    }
    // Stryker disable ConditionalExpression,StringLiteral,EqualityOperator: a comment's field (empty, or the line itself) is none of those below; the check stays to say what such a line is
    if (l[0] == ':') return;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    // Stryker restore ConditionalExpression,StringLiteral,EqualityOperator
    if (value[0] == ' ') value = value.slice(1);
    if (field == 'event') event = value;
    else if (field == 'data') data.push(value);
    else if (field == 'id' && !value.includes('\0')) idBuf = value;
  };

  return {
    push(chunk: string) {
      if (skipLf && chunk[0] == '\n') chunk = chunk.slice(1);
      skipLf = false;
      buf += chunk;
      let at: number;
      while ((at = buf.search(/[\r\n]/)) >= 0) {
        line(buf.slice(0, at));
        if (buf[at] == '\r' && at + 1 == buf.length) skipLf = true;
        buf = buf.slice(at + (buf[at] == '\r' && buf[at + 1] == '\n' ? 2 : 1));
      }
    },
    /** The id to resume from: the last `id:` of a completed event. */
    lastId: () => lastId,
  };
}

export interface ReaderHandlers {
  onEvent(e: ConversationEvent): void;
  /** The stream is over for good: `stream.closed`, a 401 the refresher cannot mend, or 404 (conversation gone). */
  onEnd(reason: ConversationEvents['stream.closed']['reason'] | 'session_invalid' | 'conversation_not_found'): void;
}

export interface Backoff {
  /** First delay, ms; doubled per failed attempt up to `max`, then jittered to 50–100 %. */
  base: number;
  max: number;
  random: () => number;
}

export const BACKOFF: Backoff = { base: 1000, max: 30_000, random: Math.random };

/**
 * Reads `path` until `stop()` or the end. `lastEventId` is where to start (the history list's
 * `last_event_id`); omitted, the hub sends the whole conversation.
 */
export function readEvents(fetchFn: typeof fetch, auth: Auth, path: string, lastEventId: string | undefined, on: ReaderHandlers, backoff = BACKOFF) {
  let stopped = false;
  let abort: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let resumeFrom = lastEventId;

  const end = (reason: Parameters<ReaderHandlers['onEnd']>[0]) => {
    stopped = true;
    on.onEnd(reason);
  };
  const retry = () => {
    if (stopped) return;
    const ms = Math.min(backoff.max, backoff.base * 2 ** failures++) * (0.5 + backoff.random() / 2);
    timer = setTimeout(() => void connect(), ms);
  };

  async function connect(): Promise<void> {
    const token = auth.token;
    abort = new AbortController();
    const headers: Record<string, string> = { authorization: 'Bearer ' + token, accept: 'text/event-stream' };
    if (resumeFrom) headers['last-event-id'] = resumeFrom;
    try {
      const res = await fetchFn(path, { headers, cache: 'no-store', signal: abort.signal });
      if (stopped) return;
      // 401 with the token we sent: the session is over. With an older one, the refresher replaced it
      // meanwhile: go again at once with the new token.
      if (res.status == 401) return token == auth.token ? end('session_invalid') : void connect();
      if (res.status == 404) return end('conversation_not_found');
      // 400: the hub no longer knows our id (e.g. a conversation erased and recreated): start over;
      // the chat keys messages by id, so the replay repeats nothing on screen.
      if (res.status == 400) resumeFrom = undefined;
      if (!res.ok || !res.body) return retry();
      failures = 0;
      let closed: ConversationEvents['stream.closed']['reason'] | undefined;
      const parser = sseParser((e) => {
        let data: unknown;
        try {
          data = JSON.parse(e.data);
        } catch {
          return;
        }
        if (!data || typeof data != 'object') return;
        if (e.event == 'stream.closed') closed = (data as ConversationEvents['stream.closed']).reason;
        else if (!stopped) on.onEvent({ event: e.event, id: e.id, data } as ConversationEvent);
      });
      const reader = res.body.getReader();
      const text = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || stopped) break;
        parser.push(text.decode(value, { stream: true }));
        resumeFrom = parser.lastId() || resumeFrom;
        if (closed) break;
      }
      if (stopped) return;
      if (closed) {
        abort.abort();
        // The hub ends each stream when the token it was opened with expires; the refresher has
        // usually replaced it long before: resume with the new one.
        if (closed == 'session_expired' && token != auth.token) return void connect();
        return end(closed);
      }
    } catch {
      if (stopped) return;
    }
    retry();
  }

  void connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      // Stryker disable next-line OptionalChaining: connect() sets it before its first await, so it is set by the time anyone can call stop
      abort?.abort();
    },
  };
}
