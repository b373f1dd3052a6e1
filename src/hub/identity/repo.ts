/** The queries of verified visitors: a token's first origin, adopting a conversation, a visitor's conversations. */
import type { Kysely } from 'kysely';
import type { VerifiedVisitor } from '../../protocol/identity.js';
import type { Database } from '../db/schema.js';
import { visitorColumns } from '../conversations/repo.js';
import { nowIso } from '../ids.js';

/**
 * The origin a visitor token (by hash) was first presented on: this one when it is new. Rows of expired
 * tokens go first, so the table holds at most an hour of tokens.
 */
export async function tokenOrigin(db: Kysely<Database>, tokenHash: string, origin: string, expiresAt: string): Promise<string> {
  await db.deleteFrom('identity_tokens').where('expires_at', '<', nowIso()).execute();
  await db.insertInto('identity_tokens').values({ token_hash: tokenHash, origin, expires_at: expiresAt }).onConflict((oc) => oc.column('token_hash').doNothing()).execute();
  const row = await db.selectFrom('identity_tokens').select('origin').where('token_hash', '=', tokenHash).executeTakeFirstOrThrow();
  return row.origin;
}

/** An anonymous conversation of this key and origin becomes the visitor's; any other id changes nothing. */
export async function adoptConversation(db: Kysely<Database>, id: string, widgetKeyId: string, origin: string, visitor: VerifiedVisitor): Promise<void> {
  await db
    .updateTable('conversations')
    .set(visitorColumns(visitor))
    .where('id', '=', id)
    .where('widget_key_id', '=', widgetKeyId)
    .where('origin', '=', origin)
    .where('visitor_id', 'is', null)
    .execute();
}

/** The visitor's latest conversations in the account, most recent first. */
export async function visitorConversations(db: Kysely<Database>, accountId: string, visitorId: string, limit: number) {
  return db
    .selectFrom('conversations')
    .select(['id', 'created_at'])
    .where('account_id', '=', accountId)
    .where('visitor_id', '=', visitorId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
