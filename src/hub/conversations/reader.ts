/**
 * One reader of a conversation's events: from its cursor (cursor.ts) to exactly the conversation's
 * state, then live. It subscribes to the bus first and reads the store after, so nothing committed in
 * between is missed; what arrives twice (in the read and on the bus) is dropped by number. Events are
 * applied one at a time, in order; a gap (an event numbered past the next one, which happens when two
 * processes publish changes of one conversation at once) is filled from the store. Who answers (the
 * agent, or a person who took over) is state, not a change: sent after every read of the store, then
 * live.
 */
import type { Kysely } from 'kysely';
import type { ConversationEventName, ConversationEvents } from '../../protocol/conversation-events.js';
import type { Database, MessageTable } from '../db/schema.js';
import type { BusEvent, ConversationBus } from './bus.js';
import { formatCursor, type Cursor } from './cursor.js';
import { failureMessage } from './failures.js';
import { changesSince, conversationById, toChatMessage } from './repo.js';

export type Send = <K extends ConversationEventName>(event: K, id: string, data: ConversationEvents[K]) => void;

/** The reply the reader is receiving: its id once known (a cursor carries only the characters). */
interface Reply { id: string | null; chars: number }

export class ConversationReader {
  private seq: number;
  private reply: Reply | null;
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly bus: ConversationBus,
    private readonly conversationId: string,
    cursor: Cursor,
    private readonly send: Send,
    /** Called once when the reader fails (the store is away): the stream ends and the client resumes. */
    private readonly onError: (err: unknown) => void,
  ) {
    this.seq = cursor.seq;
    this.reply = cursor.chars === null ? null : { id: null, chars: cursor.chars };
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe(this.conversationId, (event) => this.enqueue(() => this.apply(event)));
    if (this.closed) return this.unsubscribe();
    this.enqueue(() => this.catchUpAll());
  }

  /** Reads the store again: after the bus may have dropped events. */
  resync(): void {
    this.enqueue(() => this.catchUpAll());
  }

  stop(): void {
    this.closed = true;
    this.unsubscribe?.();
  }

  private get id(): string {
    return formatCursor({ seq: this.seq, chars: this.reply ? this.reply.chars : null });
  }

  private enqueue(step: () => Promise<void> | void): void {
    this.queue = this.queue.then(() => (this.closed ? undefined : step())).catch((err) => {
      if (this.closed) return;
      this.stop();
      this.onError(err);
    });
  }

  private async catchUp(): Promise<void> {
    const rows = await changesSince(this.db, this.conversationId, this.seq);
    for (const row of rows) await this.applyRow(row);
  }

  /** At the start, and after the bus may have dropped events: the changes, then who answers now. */
  private async catchUpAll(): Promise<void> {
    await this.catchUp();
    await this.sendWhoAnswers();
  }

  /**
   * Who answers, as stored now. Read, not taken from the takeover event: steps run one at a time, so the
   * read after the last event sees the last write, whatever order two processes' events arrived in.
   */
  private async sendWhoAnswers(): Promise<void> {
    const conversation = await conversationById(this.db, this.conversationId);
    if (conversation) this.send('conversation.updated', this.id, { taken_over_by: conversation.taken_over_by });
  }

  private async applyRow(row: MessageTable): Promise<void> {
    const known = row.created_seq <= this.seq;
    if (row.status === 'streaming') {
      const text = (await this.bus.replyText(row.id)) ?? '';
      if (known) {
        const chars = this.reply && (this.reply.id === null || this.reply.id === row.id) ? this.reply.chars : 0;
        this.reply = { id: row.id, chars: Math.max(chars, text.length) };
        if (text.length > chars) this.send('message.delta', this.id, { message_id: row.id, text: text.slice(chars) });
        return;
      }
      this.seq = row.seq;
      this.reply = { id: row.id, chars: text.length };
      this.send('message.created', this.id, { message: { ...toChatMessage(row), text } });
      return;
    }
    if (row.seq <= this.seq) return;
    this.seq = row.seq;
    if (this.reply && (this.reply.id === row.id || (this.reply.id === null && known && row.role === 'agent'))) this.reply = null;
    const message = toChatMessage(row);
    if (row.status === 'failed') {
      const type = row.failure_type ?? 'agent_unavailable';
      this.send('message.failed', this.id, { message_id: row.id, error: { type, message: failureMessage(type) }, message });
    } else this.send(known ? 'message.completed' : 'message.created', this.id, { message });
  }

  private async apply(event: BusEvent): Promise<void> {
    if (event.kind === 'status') return this.send('agent.status', this.id, { text: event.text });
    if (event.kind === 'takeover') return this.sendWhoAnswers();
    if (event.kind === 'delta') {
      const r = this.reply;
      if (!r || (r.id !== null && r.id !== event.message_id)) return this.catchUp();
      const start = event.end - event.text.length;
      if (event.end <= r.chars) return;
      if (start > r.chars) return this.catchUp();
      r.id = event.message_id;
      const text = event.text.slice(r.chars - start);
      r.chars = event.end;
      return this.send('message.delta', this.id, { message_id: event.message_id, text });
    }
    if (event.seq <= this.seq) return;
    if (event.seq > this.seq + 1) return this.catchUp();
    this.seq = event.seq;
    if (event.event === 'message.created') {
      const m = event.data.message;
      if (m.status === 'streaming') this.reply = { id: m.id, chars: m.text.length };
      return this.send('message.created', this.id, event.data);
    }
    const id = event.event === 'message.failed' ? event.data.message_id : event.data.message.id;
    if (this.reply && (this.reply.id === id || this.reply.id === null)) this.reply = null;
    if (event.event === 'message.failed') this.send('message.failed', this.id, event.data);
    else this.send('message.completed', this.id, event.data);
  }
}
