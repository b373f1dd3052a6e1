/**
 * Erasing a conversation: the visitor's data gone for good, not soft-deleted. The one function that does
 * it, for the Admin API's DELETE now and for retention later; whatever else comes to hold a
 * conversation's data must be erased here too.
 */
import type { Store } from '../db/index.js';

/** Deletes the conversation and every message of it in one transaction; false when there was none. */
export async function eraseConversation(store: Store, conversationId: string): Promise<boolean> {
  return store.db.transaction().execute(async (trx) => {
    // PostgreSQL: lock the row first, so that a message inserted meanwhile waits for the erase (and then
    // fails its foreign key: the conversation is gone) instead of landing between the two deletes and
    // failing the second. SQLite runs one write transaction at a time, and has no FOR UPDATE.
    let row = trx.selectFrom('conversations').select('id').where('id', '=', conversationId);
    if (store.dialect === 'postgres') row = row.forUpdate();
    if (!(await row.executeTakeFirst())) return false;
    await trx.deleteFrom('messages').where('conversation_id', '=', conversationId).execute();
    await trx.deleteFrom('conversations').where('id', '=', conversationId).execute();
    return true;
  });
}
