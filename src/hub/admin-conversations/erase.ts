/**
 * Erasing conversations: the visitors' data gone for good, not soft-deleted. The one implementation, for
 * the Admin API's DELETE and for retention (src/hub/retention/); whatever else comes to hold a
 * conversation's data must be erased here too.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Store } from '../db/index.js';
import type { Database } from '../db/schema.js';

/** Which conversations to erase, as conditions on `conversations` (a limit included, for batches). */
export type Which = (q: SelectQueryBuilder<Database, 'conversations', {}>) => SelectQueryBuilder<Database, 'conversations', {}>;

export interface Erased {
  conversations: number;
  messages: number;
}

/**
 * Deletes the conversations `which` selects and every message of them, in one transaction.
 *
 * PostgreSQL: the rows are locked first, so that a message being inserted meanwhile (its insert updates
 * the conversation's `seq`) either commits before the erase looks or waits for it (and then fails its
 * foreign key: the conversation is gone) instead of landing between the two deletes. Once the rows are
 * locked, `which` is asked again in a statement of its own, which sees what committed meanwhile: a
 * conversation that a message made recent again is then left alone. SQLite runs one write transaction
 * at a time, and has no FOR UPDATE.
 */
export async function eraseConversations(store: Store, which: Which): Promise<Erased> {
  return store.db.transaction().execute(async (trx) => {
    let locked = which(trx.selectFrom('conversations')).select('id');
    if (store.dialect === 'postgres') locked = locked.forUpdate();
    let ids = (await locked.execute()).map((r) => r.id);
    if (ids.length && store.dialect === 'postgres') ids = (await which(trx.selectFrom('conversations')).where('id', 'in', ids).select('id').execute()).map((r) => r.id);
    if (!ids.length) return { conversations: 0, messages: 0 };
    const messages = await trx.deleteFrom('messages').where('conversation_id', 'in', ids).executeTakeFirst();
    const conversations = await trx.deleteFrom('conversations').where('id', 'in', ids).executeTakeFirst();
    return { conversations: Number(conversations.numDeletedRows), messages: Number(messages.numDeletedRows) };
  });
}

/** Deletes one conversation and every message of it; false when there was none. */
export async function eraseConversation(store: Store, conversationId: string): Promise<boolean> {
  return (await eraseConversations(store, (q) => q.where('id', '=', conversationId))).conversations === 1;
}
