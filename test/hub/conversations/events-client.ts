/** Reads a conversation's event stream over real HTTP, as the frame does (fetch, Bearer token, Last-Event-ID). */
import { WIDGET_API } from '../../../src/protocol/widget-api.js';

export interface Received {
  id: string;
  event: string;
  data: any;
}

export interface EventsClient {
  status: number;
  headers: Headers;
  /** Every event but `conversation.updated`: what happened, in order. */
  events: Received[];
  /**
   * `taken_over_by` of each `conversation.updated`, in order: who answers is state the stream sends at its
   * start and on each change, apart from the conversation's changes (its id repeats the position).
   */
  states: (string | null)[];
  heartbeats: number;
  /** Resolves when the hub ended the stream. */
  ended: Promise<void>;
  /** Waits until `predicate` holds for the events so far (at most `timeoutMs`), returns them. */
  until(predicate: (events: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  /** The last `id:` seen. */
  lastId(): string;
  close(): void;
}

export async function openEvents(baseUrl: string, token: string, conversationId: string, lastEventId?: string): Promise<EventsClient> {
  const abort = new AbortController();
  const res = await fetch(baseUrl + WIDGET_API.events(conversationId), {
    headers: { authorization: `Bearer ${token}`, ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}) },
    signal: abort.signal,
  });
  const events: Received[] = [];
  const states: (string | null)[] = [];
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const client: EventsClient = {
    status: res.status,
    headers: res.headers,
    events,
    states,
    heartbeats: 0,
    ended: Promise.resolve(),
    async until(predicate, timeoutMs = 5_000) {
      if (predicate(events)) return events;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`events not as expected within ${timeoutMs} ms: ${JSON.stringify(events.map((e) => [e.id, e.event]))}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
      return events;
    },
    lastId: () => events.at(-1)?.id ?? '',
    close: () => abort.abort(),
  };
  if (!res.ok) {
    (client as { body?: unknown }).body = await res.json();
    return client;
  }
  client.ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) {
            if (block === ': hb') client.heartbeats++;
            continue;
          }
          const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
          const event = { id: field('id'), event: field('event'), data: JSON.parse(field('data')) };
          if (event.event === 'conversation.updated') states.push(event.data.taken_over_by);
          else events.push(event);
        }
        wake();
      }
    } catch {
      // Aborted by the test.
    }
    wake();
  })();
  return client;
}

/** The text a reader has for `messageId` after applying created/delta/completed/failed in order. */
export function textOf(events: Received[], messageId: string): string {
  let text = '';
  for (const e of events) {
    const id = e.data.message?.id ?? e.data.message_id;
    if (id !== messageId) continue;
    if (e.event === 'message.delta') text += e.data.text;
    else if (e.data.message) text = e.data.message.text;
  }
  return text;
}
