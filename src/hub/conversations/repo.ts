/** Conversations and their messages. A conversation belongs to one widget key and one page origin. */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CONVERSATION_ID_BYTES, ID_PREFIX } from '../../protocol/ids.js';
import type { ChatMessage, Conversation } from '../../protocol/widget-api.js';
import type { ConversationTable, Database } from '../db/schema.js';
import { newId, nowIso } from '../ids.js';

/** Random, not time-ordered: the id is the visitor's only handle on the conversation, kept in the frame's storage. */
const conversationId = () => `${ID_PREFIX.conversation}_${randomBytes(CONVERSATION_ID_BYTES).toString('base64url')}`;

export async function createConversation(db: Kysely<Database>, c: Omit<ConversationTable, 'id' | 'created_at'>): Promise<Conversation> {
  const row = { ...c, id: conversationId(), created_at: nowIso() };
  await db.insertInto('conversations').values(row).execute();
  return { id: row.id, created_at: row.created_at };
}

/** The conversation, only if it belongs to this key and origin: anything else is "not found". */
export async function findConversation(db: Kysely<Database>, id: string, widgetKeyId: string, origin: string) {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', id)
    .where('widget_key_id', '=', widgetKeyId)
    .where('origin', '=', origin)
    .executeTakeFirst();
}

export async function addMessage(db: Kysely<Database>, conversationId: string, role: ChatMessage['role'], text: string): Promise<ChatMessage> {
  const message = { id: newId(ID_PREFIX.message), role, text, created_at: nowIso() };
  await db.insertInto('messages').values({ ...message, conversation_id: conversationId }).execute();
  return message;
}

export async function listMessages(db: Kysely<Database>, conversationId: string, limit = 200): Promise<ChatMessage[]> {
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'role', 'text', 'created_at'])
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}
