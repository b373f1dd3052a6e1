/**
 * A `text/event-stream` parser per the HTML standard's "Parsing an event stream": lines end in CRLF, LF or
 * CR (a CRLF split across two chunks included); `:` lines are comments; `data` lines join with `\n`; one
 * space after the colon is dropped; a blank line dispatches. One forgiveness: an event with an `event:` line
 * and no `data:` is dispatched too (the standard drops it), so a bare `event: done` counts. Pure (text in, events out), so any part that
 * reads such a stream can use it.
 */

export interface SseEvent {
  /** `message` when the event had no `event:` line, as the standard says. */
  event: string;
  data: string;
}

export class SseEventTooLarge extends Error {
  override name = 'SseEventTooLarge';
}

export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #pendingChars = 0;
  #afterCr = false;
  #started = false;

  /** @param maxEventChars most characters one event (or one unterminated line) may hold before it is refused. */
  constructor(private readonly maxEventChars: number) {}

  /** Feeds a chunk of text; returns the events it completed. Throws `SseEventTooLarge` past the cap. */
  push(chunk: string): SseEvent[] {
    if (!chunk) return [];
    if (!this.#started) {
      this.#started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    // A CR ending the previous chunk already ended its line: an LF opening this one belongs to it.
    if (this.#afterCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.#afterCr = chunk.endsWith('\r');
    this.#buffer += chunk;
    const events: SseEvent[] = [];
    const lines = this.#buffer.split(/\r\n|\r|\n/);
    this.#buffer = lines.pop()!;
    for (const line of lines) this.#line(line, events);
    if (this.#buffer.length + this.#pendingChars > this.maxEventChars) {
      throw new SseEventTooLarge(`an event passed ${this.maxEventChars} characters`);
    }
    return events;
  }

  /**
   * The stream ended: the last event, if it was complete but for its blank line. The standard drops it;
   * keeping it forgives agents that close right after `event: done` without the final blank line.
   */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.#buffer) this.#line(this.#buffer, events);
    this.#buffer = '';
    this.#line('', events);
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data.length || this.#event) events.push({ event: this.#event || 'message', data: this.#data.join('\n') });
      this.#event = '';
      this.#data = [];
      this.#pendingChars = 0;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else return; // `id`, `retry` and unknown fields mean nothing to a one-shot answer.
    this.#pendingChars += line.length;
  }
}
