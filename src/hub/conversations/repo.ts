/**
 * Conversations and their messages. A conversation belongs to one widget key and one page origin.
 *
 * Every stored change of a conversation (a message created, completed or failed) takes the next number
 * of `conversations.seq`, in the same transaction as the change: the counter's row lock (PostgreSQL) or
 * the single writer (SQLite) makes the numbers follow the commit order, so a reader that has seen
 * change N and reads the changes after N misses nothing (cursor.ts, reader.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AgentFailureType } from '../../protocol/conversation-events.js';
import { CONVERSATION_ID_BYTES, ID_PREFIX } from '../../protocol/ids.js';
import type { KeyMode } from '../../protocol/keys.js';
import type { ChatMessage, Conversation, MessageRole, MessageStatus } from '../../protocol/widget-api.js';
import type { ConversationTable, Database, MessageTable } from '../db/schema.js';
import type { VerifiedVisitor } from '../../protocol/identity.js';
import { newId, nowIso } from '../ids.js';

/** Random, not time-ordered: the id is the visitor's only handle on the conversation, kept in the frame's storage. */
const conversationId = () => `${ID_PREFIX.conversation}_${randomBytes(CONVERSATION_ID_BYTES).toString('base64url')}`;

type NewConversation = Pick<ConversationTable, 'account_id' | 'widget_key_id' | 'agent_id' | 'origin'> & { mode: KeyMode; visitor?: VerifiedVisitor | null };

export async function createConversation(db: Kysely<Database>, { visitor, ...c }: NewConversation): Promise<Conversation> {
  const row = { ...c, ...visitorColumns(visitor ?? null), id: conversationId(), created_at: nowIso() };
  await db.insertInto('conversations').values(row).execute();
  return { id: row.id, created_at: row.created_at };
}

/** A verified visitor as the conversation's columns (all null for an anonymous one). */
export const visitorColumns = (v: VerifiedVisitor | null) => ({ visitor_id: v?.id ?? null, visitor_name: v?.name ?? null, visitor_email: v?.email ?? null });

/** Who may read a conversation: an anonymous visitor of this key and origin, or a verified visitor of this account. */
export type Reader = { widgetKeyId: string; origin: string; accountId: string; visitorId: string | null };

/**
 * The conversation, only if it belongs to this reader: an anonymous one of this key and origin for an
 * anonymous visitor, one of theirs in the account for a verified visitor. Anything else is "not found":
 * after a logout, the anonymous visitor on that browser cannot read what the verified one wrote.
 */
export async function findConversation(db: Kysely<Database>, id: string, reader: Reader) {
  let query = db.selectFrom('conversations').selectAll().where('id', '=', id);
  query = reader.visitorId === null
    ? query.where('widget_key_id', '=', reader.widgetKeyId).where('origin', '=', reader.origin).where('visitor_id', 'is', null)
    : query.where('account_id', '=', reader.accountId).where('visitor_id', '=', reader.visitorId);
  return query.executeTakeFirst();
}

export async function conversationById(db: Kysely<Database>, id: string) {
  return db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

export const toChatMessage = (row: Pick<MessageTable, 'id' | 'role' | 'text' | 'created_at' | 'status' | 'author_name'>): ChatMessage => ({
  id: row.id,
  role: row.role,
  text: row.text,
  created_at: row.created_at,
  status: row.status,
  author_name: row.author_name,
});

async function nextSeq(trx: Transaction<Database>, conversationId: string): Promise<number> {
  const row = await trx
    .updateTable('conversations')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', conversationId)
    .returning('seq')
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}

export interface NewMessage {
  role: MessageRole;
  text: string;
  status: MessageStatus;
  author_name?: string | null;
  client_message_id?: string | null;
  failure_type?: AgentFailureType | null;
  /** An agent reply's turn: the visitor message it answers (its `created_seq`). */
  answers_seq?: number | null;
}

export interface StoredMessage {
  message: ChatMessage;
  seq: number;
}

export async function insertMessage(db: Kysely<Database>, conversationId: string, m: NewMessage): Promise<StoredMessage> {
  return db.transaction().execute(async (trx) => {
    const seq = await nextSeq(trx, conversationId);
    const row: MessageTable = {
      id: newId(ID_PREFIX.message),
      conversation_id: conversationId,
      role: m.role,
      text: m.text,
      created_at: nowIso(),
      status: m.status,
      client_message_id: m.client_message_id ?? null,
      author_name: m.author_name ?? null,
      failure_type: m.failure_type ?? null,
      seq,
      created_seq: seq,
      answers_seq: m.answers_seq ?? null,
    };
    await trx.insertInto('messages').values(row).execute();
    return { message: toChatMessage(row), seq };
  });
}

/** Thrown inside a transaction to roll it back when the row was no longer streaming. */
class NotStreaming extends Error {}

/**
 * Ends a streaming reply with its whole text. Only a reply still `streaming` changes: when the restart
 * sweep (sweep.ts) already marked it failed, nothing is written and the answer is null.
 */
export async function finishMessage(
  db: Kysely<Database>,
  conversationId: string,
  messageId: string,
  end: { text: string; status: 'completed' | 'failed'; failure_type?: AgentFailureType },
): Promise<StoredMessage | null> {
  try {
    return await db.transaction().execute(async (trx) => {
      const seq = await nextSeq(trx, conversationId);
      const row = await trx
        .updateTable('messages')
        .set({ text: end.text, status: end.status, failure_type: end.failure_type ?? null, seq })
        .where('id', '=', messageId)
        .where('status', '=', 'streaming')
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new NotStreaming();
      return { message: toChatMessage(row), seq };
    });
  } catch (err) {
    if (err instanceof NotStreaming) return null;
    throw err;
  }
}

/** The visitor message sent with `clientMessageId`; `seq` is its `created_seq`. */
export async function findByClientMessageId(db: Kysely<Database>, conversationId: string, clientMessageId: string): Promise<StoredMessage | null> {
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('client_message_id', '=', clientMessageId)
    .executeTakeFirst();
  return row ? { message: toChatMessage(row), seq: row.created_seq } : null;
}

/**
 * Who answers: a person's name (the agent is not called), or null (the agent). With `expected` (a name, or
 * null for the agent), only if that is who answers now: one statement, so of two people taking over at
 * once, one gets it. False: no such conversation, or someone else answers.
 */
export async function setTakenOverBy(db: Kysely<Database>, conversationId: string, name: string | null, expected?: string | null): Promise<boolean> {
  let update = db.updateTable('conversations').set({ taken_over_by: name }).where('id', '=', conversationId);
  if (expected !== undefined) update = expected === null ? update.where('taken_over_by', 'is', null) : update.where('taken_over_by', '=', expected);
  const res = await update.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Replaces the conversation's reported context (JSON text; null clears it). */
export async function setReportedContext(db: Kysely<Database>, conversationId: string, json: string | null): Promise<void> {
  await db.updateTable('conversations').set({ reported_context: json }).where('id', '=', conversationId).execute();
}

/**
 * The latest reply to the visitor message numbered `visitorSeq`: an agent message of a turn that named
 * it (a retry adds one). A turn names the latest of the messages queued for it; the earlier ones have
 * no reply of their own. Null when none was written (not answered yet, or the agent answered 202).
 */
export async function replyTo(db: Kysely<Database>, conversationId: string, visitorSeq: number) {
  return db
    .selectFrom('messages')
    .select(['status', 'created_seq'])
    .where('conversation_id', '=', conversationId)
    .where('role', '=', 'agent')
    .where('answers_seq', '=', visitorSeq)
    .orderBy('created_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Asks for one more turn for the visitor message numbered `visitorSeq`, whose reply `seenSeq` (its
 * `created_seq`) failed. Only when no retry is pending and no reply to it was written since (another
 * tab's retry that ran meanwhile): one conditional update, so that two retries at once start one turn.
 */
export async function requestRetry(db: Kysely<Database>, conversationId: string, visitorSeq: number, seenSeq: number): Promise<boolean> {
  const res = await db
    .updateTable('conversations')
    .set({ retry_seq: visitorSeq })
    .where('id', '=', conversationId)
    .where('retry_seq', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('messages')
            .select('messages.id')
            .where('messages.conversation_id', '=', conversationId)
            .where('messages.answers_seq', '=', visitorSeq)
            .where('messages.created_seq', '>', seenSeq),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** The visitor message numbered `seq` (a retried one), with that number. */
export async function visitorMessageAt(db: Kysely<Database>, conversationId: string, seq: number): Promise<StoredMessage | null> {
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('role', '=', 'visitor')
    .where('created_seq', '=', seq)
    .executeTakeFirst();
  return row ? { message: toChatMessage(row), seq: row.created_seq } : null;
}

/** The latest `limit` messages, oldest first, in the order they were created. */
export async function latestMessages(db: Kysely<Database>, conversationId: string, limit: number): Promise<MessageTable[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('created_seq', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}

/**
 * What a reader at change `afterSeq` has not seen: every message changed since, in change order, plus a
 * reply created before `afterSeq` that is still streaming (the reader may lack the end of its text).
 */
export async function changesSince(db: Kysely<Database>, conversationId: string, afterSeq: number): Promise<MessageTable[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where((eb) => eb.or([eb('seq', '>', afterSeq), eb('status', '=', 'streaming')]))
    .orderBy('seq')
    .orderBy('id')
    .execute();
}

// ------------------------------------------------------------------------------------------------ turns

/** Makes `owner` the one process running the agent here, unless another holds an unexpired lease. */
export async function claimTurn(db: Kysely<Database>, conversationId: string, owner: string, leaseMs: number): Promise<boolean> {
  const now = nowIso();
  const res = await db
    .updateTable('conversations')
    .set({ turn_owner: owner, turn_lease_until: new Date(Date.now() + leaseMs).toISOString() })
    .where('id', '=', conversationId)
    .where((eb) => eb.or([eb('turn_owner', 'is', null), eb('turn_lease_until', '<', now)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** False when the lease was lost (expired and taken, or swept): the turn must stop. */
export async function extendTurn(db: Kysely<Database>, conversationId: string, owner: string, leaseMs: number): Promise<boolean> {
  const res = await db
    .updateTable('conversations')
    .set({ turn_lease_until: new Date(Date.now() + leaseMs).toISOString() })
    .where('id', '=', conversationId)
    .where('turn_owner', '=', owner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Ends `owner`'s turn; `keepLease`: record what it answered but leave the lease to run out (shutdown).
 * `retried`: the turn answered the pending retry, which is no longer pending.
 */
export async function releaseTurn(db: Kysely<Database>, conversationId: string, owner: string, answeredSeq: number, keepLease = false, retried = false): Promise<void> {
  const done = { answered_seq: answeredSeq, ...(retried && { retry_seq: null }) };
  await db
    .updateTable('conversations')
    .set(keepLease ? done : { ...done, turn_owner: null, turn_lease_until: null })
    .where('id', '=', conversationId)
    .where('turn_owner', '=', owner)
    .execute();
}

/** Visitor messages no turn has answered yet, oldest first. */
export async function unansweredMessages(db: Kysely<Database>, conversationId: string): Promise<Array<{ message: ChatMessage; seq: number }>> {
  const rows = await db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .selectAll('messages')
    .where('messages.conversation_id', '=', conversationId)
    .where('messages.role', '=', 'visitor')
    .whereRef('messages.created_seq', '>', 'conversations.answered_seq')
    .orderBy('messages.created_seq')
    .execute();
  return rows.map((r) => ({ message: toChatMessage(r), seq: r.created_seq }));
}

/**
 * The latest stored messages but `messageId` (the one a turn answers), oldest first: the agent's history.
 * `beforeSeq`: only those created before it (a retried message gets the conversation as it was then).
 */
export async function historyBefore(db: Kysely<Database>, conversationId: string, messageId: string, limit: number, beforeSeq?: number): Promise<ChatMessage[]> {
  let query = db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('id', '!=', messageId)
    .where('status', '!=', 'streaming');
  if (beforeSeq !== undefined) query = query.where('created_seq', '<', beforeSeq);
  const rows = await query
    .orderBy('created_seq', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map(toChatMessage);
}

/** Replies left streaming by a turn whose lease ended (its process stopped): the sweep ends them. */
export async function orphanedReplies(db: Kysely<Database>): Promise<Array<{ id: string; conversation_id: string }>> {
  const now = nowIso();
  return db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.id', 'messages.conversation_id'])
    .where('messages.status', '=', 'streaming')
    .where((eb) => eb.or([eb('conversations.turn_owner', 'is', null), eb('conversations.turn_lease_until', '<', now)]))
    .limit(500)
    .execute();
}

/** Conversations whose turn lease ended without a release: something may wait there unanswered. */
export async function expiredTurns(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('conversations').select('id').where('turn_lease_until', '<', nowIso()).limit(500).execute();
  return rows.map((r) => r.id);
}
