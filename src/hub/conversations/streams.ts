/**
 * The open event streams of this process, and one timer for all of them (a timer per stream would cost
 * memory at thousands of idle visitors): every `tickMs` it ends the streams whose session expired or whose
 * key was disabled, deleted or no longer allows the origin (re-checked through the key cache, which the
 * invalidation bus keeps current within the revocation bound, one lookup per key, not per stream), and
 * writes a heartbeat on the streams idle for HEARTBEAT_SECONDS.
 *
 * Slow readers: a stream whose socket holds more than MAX_BUFFERED_BYTES unsent is ended, not buffered
 * further; the client resumes with Last-Event-ID and the store gives it what it missed.
 */
import type { ServerResponse } from 'node:http';
import { HEARTBEAT_SECONDS, type ConversationEvents } from '../../protocol/conversation-events.js';
import { parseOrigin } from '../allowlist/origin.js';
import type { KeyCache } from '../visitor/key-cache.js';
import { checkOrigin } from '../visitor/origin-check.js';
import type { SessionClaims } from '../session/token.js';
import type { Send } from './reader.js';

export const MAX_BUFFERED_BYTES = 256 * 1024;

type CloseReason = ConversationEvents['stream.closed']['reason'];

export class EventStream {
  lastWrite = Date.now();
  private ended = false;
  private readonly closers: Array<() => void> = [];

  constructor(
    readonly res: ServerResponse,
    readonly claims: SessionClaims,
  ) {}

  readonly send: Send = (event, id, data) => {
    this.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  heartbeat(): void {
    this.write(': hb\n\n');
  }

  /** Ends the stream for good with `stream.closed` (the reader must not resume with this session). */
  close(reason: CloseReason, id: string): void {
    this.send('stream.closed', id, { reason });
    this.end();
  }

  /**
   * Ends the stream without a word: the client resumes (a restart, a store error). `drop`: the reader is
   * too slow; destroy the socket rather than wait for it to drain what is already buffered.
   */
  end(drop = false): void {
    if (this.ended) return;
    this.ended = true;
    if (drop) this.res.destroy();
    else this.res.end();
    for (const fn of this.closers.splice(0)) fn();
  }

  onEnd(fn: () => void): void {
    this.closers.push(fn);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private write(chunk: string): void {
    if (this.ended) return;
    if (this.res.writableLength > MAX_BUFFERED_BYTES) return this.end(true);
    this.res.write(chunk);
    this.lastWrite = Date.now();
  }
}

interface Entry { stream: EventStream; cursor(): string; resync(): void }

export class OpenStreams {
  private readonly streams = new Set<Entry>();
  private readonly timer: NodeJS.Timeout;
  private checking = false;

  constructor(
    private readonly keys: KeyCache,
    tickMs: number,
  ) {
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  get size(): number {
    return this.streams.size;
  }

  /** `cursor`: the stream's position now, for its last event; `resync`: catch up from the store. */
  add(stream: EventStream, cursor: () => string, resync: () => void): void {
    const entry = { stream, cursor, resync };
    this.streams.add(entry);
    stream.onEnd(() => this.streams.delete(entry));
  }

  /** After the bus may have dropped events (bus.ts onResync). */
  resyncAll(): void {
    for (const e of this.streams) e.resync();
  }

  /** Ends every stream (shutdown): clients resume on another process. */
  endAll(): void {
    for (const e of [...this.streams]) e.stream.end();
    clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const now = Date.now();
      const byKey = new Map<string, Entry[]>();
      for (const e of this.streams) {
        if (e.stream.claims.exp * 1000 <= now) e.stream.close('session_expired', e.cursor());
        else {
          const group = byKey.get(e.stream.claims.kid);
          if (group) group.push(e);
          else byKey.set(e.stream.claims.kid, [e]);
        }
      }
      for (const [kid, group] of byKey) {
        const key = await this.keys.getById(kid).catch(() => undefined);
        // undefined: the store is away; keep the streams, they can only read what was already allowed.
        if (key === undefined) continue;
        for (const { stream, cursor } of group) {
          const reason: CloseReason | null = !key ? 'key_not_found' : key.disabled ? 'key_disabled' : checkOrigin(key, parseOrigin(stream.claims.org)) ? 'origin_not_allowed' : null;
          if (reason) stream.close(reason, cursor());
          else if (now - stream.lastWrite >= HEARTBEAT_SECONDS * 1000) stream.heartbeat();
        }
      }
    } finally {
      this.checking = false;
    }
  }
}
