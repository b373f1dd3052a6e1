/** Every query of the Admin API's conversations: lists with their message counts, one with its messages. */
import type { Kysely } from 'kysely';
import type { Conversation, ConversationMessage } from '../../protocol/api.js';
import type { AgentFailureType } from '../../protocol/conversation-events.js';
import type { ChatMessage, MessageStatus } from '../../protocol/widget-api.js';
import type { ConversationTable, Database } from '../db/schema.js';

/** A page of conversations: newest first, optionally of one widget key, after `cursor`. */
interface PageQuery {
  limit: number;
  widgetKeyId?: string;
  /** Only a verified visitor's (their `sub`). */
  visitorId?: string;
  /** The last conversation of the previous page. */
  cursor?: Pick<ConversationTable, 'id' | 'created_at'>;
}

/** The conversation's own columns and what its messages add: how many, and when the last was written. */
function withCounts(db: Kysely<Database>) {
  return db
    .selectFrom('conversations')
    .select(['conversations.id', 'widget_key_id', 'agent_id', 'origin', 'visitor_id', 'conversations.mode', 'taken_over_by', 'conversations.created_at'])
    .select((eb) => [
      eb.selectFrom('messages').whereRef('messages.conversation_id', '=', 'conversations.id').select((m) => m.fn.countAll().as('n')).as('message_count'),
      eb.selectFrom('messages').whereRef('messages.conversation_id', '=', 'conversations.id').select((m) => m.fn.max('messages.created_at').as('at')).as('last_message_at'),
    ]);
}

type CountedRow = Omit<Conversation, 'message_count'> & { message_count: string | number | bigint | null };

// PostgreSQL answers count(*) as a bigint, which pg hands over as a string.
const toConversation = (row: CountedRow): Conversation => ({ ...row, message_count: Number(row.message_count ?? 0), last_message_at: row.last_message_at ?? null });

/** The conversation, only if it belongs to this account: the one check every admin operation starts with. */
export async function findAccountConversation(db: Kysely<Database>, accountId: string, id: string) {
  return db.selectFrom('conversations').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

export async function findCountedConversation(db: Kysely<Database>, accountId: string, id: string): Promise<Conversation | undefined> {
  const row = await withCounts(db).where('account_id', '=', accountId).where('conversations.id', '=', id).executeTakeFirst();
  return row && toConversation(row);
}

/**
 * Conversation ids are random (the visitor's only handle on theirs), so unlike the other lists the order
 * is (created_at, id), and the cursor is the previous page's last row, compared on both.
 */
export async function listConversations(db: Kysely<Database>, accountId: string, page: PageQuery) {
  let query = withCounts(db).where('account_id', '=', accountId);
  if (page.widgetKeyId) query = query.where('widget_key_id', '=', page.widgetKeyId);
  if (page.visitorId) query = query.where('visitor_id', '=', page.visitorId);
  const { cursor } = page;
  if (cursor) {
    query = query.where((eb) =>
      eb.or([
        eb('conversations.created_at', '<', cursor.created_at),
        eb.and([eb('conversations.created_at', '=', cursor.created_at), eb('conversations.id', '<', cursor.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('conversations.created_at', 'desc').orderBy('conversations.id', 'desc').limit(page.limit + 1).execute();
  return { data: rows.slice(0, page.limit).map(toConversation), has_more: rows.length > page.limit };
}

/**
 * A message as the Admin API shows it. The columns the live conversation adds (status, author_name,
 * failure_type) may be absent from rows written before it: such a message is complete and has no author.
 */
export const toAdminMessage = (m: ChatMessage & { status?: MessageStatus | null; failure_type?: AgentFailureType | null }): ConversationMessage => ({
  id: m.id,
  role: m.role,
  text: m.text,
  status: m.status ?? 'completed',
  failure_type: m.failure_type ?? null,
  author_name: m.author_name ?? null,
  created_at: m.created_at,
});

/** Every message of the conversation, oldest first (ids are time-ordered). */
export async function allMessages(db: Kysely<Database>, conversationId: string): Promise<ConversationMessage[]> {
  const rows = await db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).orderBy('id', 'asc').execute();
  return rows.map(toAdminMessage);
}
