/**
 * Turns: the agent answering what the visitor wrote. At most one turn runs per conversation, across every
 * hub process: the store is the arbiter (a conditional update takes `turn_owner` with a lease, repo.ts).
 * A message posted while a turn runs waits for the next one, which answers every visitor message not yet
 * answered. The lease is renewed while the turn runs; a process that stops mid-turn leaves a lease that
 * expires, and the sweep (sweep.ts) ends its reply as failed (`hub_restarted`). A graceful stop lets the
 * running turns finish (each is bounded by the agent's timeout) and starts none: what is still queued is
 * left under a lease that ends, for another process's sweep to answer.
 *
 * Why the order "release, then look for unanswered messages": a post on another process inserts its
 * message and then tries to claim; if its claim fails, this process has not released yet, so the look
 * after the release sees the message. Nothing waits unanswered while no turn runs.
 *
 * A retry (the visitor asks again about a message whose reply failed, service.ts) is waiting work of the
 * same kind: `retry_seq` is set before the claim, and a turn takes it before newer messages, since it
 * was asked first. Its release clears it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { MAX_AGENT_REPLY_LENGTH, type MessageCreatedEvent } from '../../protocol/agent-webhook.js';
import type { VisitorIdentity } from '../../protocol/identity.js';
import type { AgentFailureType } from '../../protocol/conversation-events.js';
import { findAgent } from '../agents/repo.js';
import type { Store } from '../db/index.js';
import type { Database } from '../db/schema.js';
import { AgentFailure, askAgent, type AgentCallSettings, type AgentChunk } from './agent.js';
import type { ConversationBus } from './bus.js';
import { failedChange } from './failures.js';
import {
  claimTurn,
  conversationById,
  extendTurn,
  finishMessage,
  historyBefore,
  insertMessage,
  releaseTurn,
  unansweredMessages,
  visitorMessageAt,
  type StoredMessage,
} from './repo.js';

/** Messages of history an agent gets (agent-webhook.ts). */
const HISTORY = 20;
export interface TurnOptions {
  leaseMs: number;
  agent: AgentCallSettings;
}

class LeaseLost extends Error {}

export class TurnRunner {
  /** This process, as `turn_owner`: random per start, so a restarted process never mistakes an old lease for its own. */
  readonly owner = `hub_${randomUUID()}`;
  private readonly loops = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private closing = false;

  constructor(
    private readonly store: Store,
    private readonly bus: ConversationBus,
    private readonly log: FastifyBaseLogger,
    private readonly options: TurnOptions,
  ) {}

  /** Something to answer may be waiting in this conversation: run turns until nothing is. Never throws. */
  kick(conversationId: string): void {
    if (this.closing) return;
    this.again.add(conversationId);
    if (this.loops.has(conversationId)) return;
    const loop = this.loop(conversationId)
      .catch((err) => this.log.error({ err }, 'conversation turn failed'))
      .finally(() => {
        this.loops.delete(conversationId);
        // A kick that came while the loop was deciding to stop.
        if (this.again.has(conversationId)) this.kick(conversationId);
      });
    this.loops.set(conversationId, loop);
  }

  /** Starts no turn any more and waits for the running ones to end (stored completed or failed). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.loops.values()]);
  }

  private async loop(conversationId: string): Promise<void> {
    const { db } = this.store;
    do {
      this.again.delete(conversationId);
      if (this.closing) return;
      // Another process holds the turn: its look after releasing finds what we would answer.
      if (!(await claimTurn(db, conversationId, this.owner, this.options.leaseMs))) return;
      let done: TurnDone | null = null;
      try {
        done = await this.turn(conversationId);
      } finally {
        done ??= { answered: (await conversationById(db, conversationId))?.answered_seq ?? 0, retried: false };
        const { answered } = done;
        // Stopping with messages still queued: keep the lease, so that it ends and a sweep answers them.
        const keep = this.closing && (await unansweredMessages(db, conversationId)).some((m) => m.seq > answered);
        await releaseTurn(db, conversationId, this.owner, answered, keep, done.retried);
      }
    } while (this.again.has(conversationId) || (await waiting(db, conversationId)));
  }

  /** One turn: the pending retry, or else the unanswered messages. */
  private async turn(conversationId: string): Promise<TurnDone> {
    const { db } = this.store;
    const conversation = await conversationById(db, conversationId);
    if (!conversation) return { answered: 0, retried: false };
    if (conversation.taken_over_by !== null) return this.personAnswers(conversation);
    const retry = conversation.retry_seq === null ? null : await visitorMessageAt(db, conversationId, conversation.retry_seq);
    const last = retry ?? (await unansweredMessages(db, conversationId)).at(-1);
    // A retry leaves `answered_seq` as it is: newer messages may wait for their own turn.
    const answered = retry ? conversation.answered_seq : (last?.seq ?? conversation.answered_seq);
    // A retry of a message that is gone (erased) is done with.
    const done = { answered, retried: conversation.retry_seq !== null };
    if (!last) return done;
    await this.answer(conversation, last, retry !== null);
    return done;
  }

  /** Asks the agent about `last` and stores what it answers (or how it failed). */
  private async answer(conversation: ConversationRow, last: StoredMessage, retry: boolean): Promise<void> {
    const { db } = this.store;
    const conversationId = conversation.id;
    const abort = new AbortController();
    const renew = setInterval(() => {
      extendTurn(db, conversationId, this.owner, this.options.leaseMs).then(
        (held) => held || abort.abort(new LeaseLost()),
        () => {
          // The store is away for a moment: the lease has two more renewals' worth of time.
        },
      );
    }, Math.max(50, Math.floor(this.options.leaseMs / 3)));
    const reply = new ReplyWriter(db, this.bus, conversationId, last.seq);
    try {
      const agent = await findAgent(db, conversation.account_id, conversation.agent_id);
      if (!agent) throw new AgentFailure('agent_unavailable', 'the agent of this conversation no longer exists', 'The assistant');
      const event: MessageCreatedEvent = {
        type: 'message.created',
        agent_id: agent.id,
        conversation_id: conversationId,
        widget_key_id: conversation.widget_key_id,
        message: last.message,
        history: await historyBefore(db, conversationId, last.message.id, HISTORY, retry ? last.seq : undefined),
        visitor: visitorOf(conversation),
        context: { origin: conversation.origin, reported: reportedContext(conversation.reported_context) },
      };
      const maxChars = MAX_AGENT_REPLY_LENGTH;
      const chunks = askAgent(agent, event, this.options.agent, abort.signal);
      try {
        let next: IteratorResult<AgentChunk, { accepted: boolean }>;
        while (!(next = await chunks.next()).done) {
          if (abort.signal.aborted) throw abort.signal.reason;
          await reply.chunk(next.value, maxChars);
        }
        // 202: the agent posts later (service.ts postAgentMessage); this turn leaves no message.
        if (next.value.accepted && !reply.started) return await this.accepted(conversationId, last.seq);
        if (!reply.started) throw new AgentFailure('agent_bad_answer', 'the agent answered with no text', 'The assistant');
        await reply.finish(null);
      } finally {
        await chunks.return?.({ accepted: false }).catch(() => {});
      }
    } catch (err) {
      // A lost lease is a restart as far as the visitor can tell; the hub's own errors read as "unavailable".
      const type: AgentFailureType = err instanceof AgentFailure ? err.type : err instanceof LeaseLost ? 'hub_restarted' : 'agent_unavailable';
      if (err instanceof AgentFailure) this.log.warn({ agent_id: conversation.agent_id, failure: err.type, detail: err.detail }, 'agent reply failed');
      else if (err instanceof LeaseLost) this.log.warn({ agent_id: conversation.agent_id }, 'agent reply interrupted: this process lost the turn (its lease ended)');
      else this.log.error({ err, agent_id: conversation.agent_id }, 'agent reply failed in the hub');
      await reply.finish(type);
    } finally {
      clearInterval(renew);
      await reply.drop();
    }
  }

  /**
   * A person took the conversation over: what waits is theirs to answer, and the agent is not called.
   * It counts as answered (a hand-back does not send the agent what the person saw), a pending retry is
   * dropped, and readers stop showing anyone as typing.
   */
  private async personAnswers(conversation: ConversationRow): Promise<TurnDone> {
    const last = (await unansweredMessages(this.store.db, conversation.id)).at(-1);
    await this.bus.publish(conversation.id, { kind: 'status', text: '' });
    return { answered: last?.seq ?? conversation.answered_seq, retried: conversation.retry_seq !== null };
  }

  /**
   * The agent took the question and will answer later: readers stop showing it as typing (an empty
   * `agent.status`), unless newer messages wait, whose turn starts now.
   */
  private async accepted(conversationId: string, seq: number): Promise<void> {
    if ((await unansweredMessages(this.store.db, conversationId)).some((m) => m.seq > seq)) return;
    await this.bus.publish(conversationId, { kind: 'status', text: '' });
  }
}

type ConversationRow = NonNullable<Awaited<ReturnType<typeof conversationById>>>;

/** The agent's view of the conversation's visitor: verified by the hub (identify) or not at all. */
const visitorOf = (c: ConversationRow): VisitorIdentity =>
  c.visitor_id === null
    ? { verified: false }
    : { verified: true, id: c.visitor_id, ...(c.visitor_name === null ? {} : { name: c.visitor_name }), ...(c.visitor_email === null ? {} : { email: c.visitor_email }) };

interface TurnDone {
  /** The number of the last visitor message answered so far (`answered_seq`). */
  answered: number;
  /** The turn took the pending retry. */
  retried: boolean;
}

/** Something waits for a turn: a message not answered yet, or a retry. */
async function waiting(db: Kysely<Database>, conversationId: string): Promise<boolean> {
  if ((await unansweredMessages(db, conversationId)).length > 0) return true;
  return ((await conversationById(db, conversationId))?.retry_seq ?? null) !== null;
}

/** The stored context as the agent gets it; a row that does not parse (never written so) is none. */
function reportedContext(json: string | null): Record<string, unknown> | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The agent's message of one turn: stored as `streaming` at its first text, then deltas, then its end. */
class ReplyWriter {
  private id: string | null = null;
  private text = '';
  private statusShown = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly bus: ConversationBus,
    private readonly conversationId: string,
    /** The visitor message this reply answers (its `created_seq`). */
    private readonly answers: number,
  ) {}

  get started(): boolean {
    return this.id !== null;
  }

  async chunk(chunk: AgentChunk, maxChars: number): Promise<void> {
    const { bus } = this;
    if (chunk.type === 'status') {
      this.statusShown = chunk.text !== '';
      return bus.publish(this.conversationId, { kind: 'status', text: chunk.text });
    }
    if (!chunk.text) return;
    const room = maxChars - this.text.length;
    await this.append(chunk.text.slice(0, room));
    if (chunk.text.length > room) throw new AgentFailure('agent_too_long', `the reply passed ${maxChars} characters`, 'The assistant');
  }

  private async append(text: string): Promise<void> {
    const { db, bus } = this;
    if (this.id === null) {
      const stored = await insertMessage(db, this.conversationId, { role: 'agent', text: '', status: 'streaming', answers_seq: this.answers });
      this.id = stored.message.id;
      await bus.publish(this.conversationId, { kind: 'change', seq: stored.seq, event: 'message.created', data: { message: stored.message } });
    }
    if (!text) return;
    this.text += text;
    await bus.appendDelta(this.conversationId, this.id, text, this.text.length);
  }

  /** Stores the whole text: completed (`failure` null) or failed, the partial text kept. */
  async finish(failure: AgentFailureType | null): Promise<void> {
    const { db, bus } = this;
    if (this.statusShown) await bus.publish(this.conversationId, { kind: 'status', text: '' }).catch(() => {});
    if (this.id === null) await this.append('');
    const end = failure ? { text: this.text, status: 'failed' as const, failure_type: failure } : { text: this.text, status: 'completed' as const };
    const stored = await finishMessage(db, this.conversationId, this.id!, end);
    // null: the sweep ended it first (this process was taken for stopped), and published that.
    if (!stored) return;
    await bus.publish(this.conversationId, failure ? failedChange(stored, failure) : { kind: 'change', seq: stored.seq, event: 'message.completed', data: { message: stored.message } });
  }

  async drop(): Promise<void> {
    if (this.id) await this.bus.dropReply(this.id).catch(() => {});
  }
}
