/**
 * The queries behind a visitor's requests: a widget key by hash with the agent that answers for it, and
 * its last use. Read-mostly and cached (key-cache.ts); the Admin API's writes live in widget-keys/repo.ts.
 */
import type { Kysely } from 'kysely';
import type { AgentPublic } from '../../protocol/handshake.js';
import type { Database, WidgetKeyTable } from '../db/schema.js';

interface KeyForVisitor {
  row: WidgetKeyTable;
  agent: AgentPublic;
}

/** The key and the agent that answers for it (its own, or the account's default). */
export async function findKeyByHash(db: Kysely<Database>, keyHash: string): Promise<KeyForVisitor | null> {
  const row = await db.selectFrom('widget_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  if (!row) return null;
  let agentQuery = db.selectFrom('agents').select(['id', 'name', 'greeting', 'accent_color', 'theme', 'locale']).where('account_id', '=', row.account_id);
  agentQuery = row.agent_id ? agentQuery.where('id', '=', row.agent_id) : agentQuery.where('is_default', '=', 1);
  const agent = await agentQuery.executeTakeFirst();
  if (!agent) return null;
  return { row, agent };
}

export async function keyHashById(db: Kysely<Database>, id: string): Promise<string | null> {
  const row = await db.selectFrom('widget_keys').select('key_hash').where('id', '=', id).executeTakeFirst();
  return row?.key_hash ?? null;
}

/** Never moves last_used_at backwards: several processes write it, each at most once a minute. */
export async function markUsed(db: Kysely<Database>, id: string, at: string): Promise<void> {
  await db
    .updateTable('widget_keys')
    .set({ last_used_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
    .execute();
}
