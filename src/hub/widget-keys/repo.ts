/** Widget key rows: plain functions with the db first. The plaintext key is never stored, only its hash. */
import type { Kysely } from 'kysely';
import type { AgentPublic } from '../../protocol/handshake.js';
import type { ListParams, WidgetKey } from '../../protocol/api.js';
import type { Database, WidgetKeyTable } from '../db/schema.js';
import { nowIso } from '../ids.js';
import { pageOf } from '../pagination.js';

export const toWidgetKey = (row: WidgetKeyTable): WidgetKey => ({
  id: row.id,
  name: row.name,
  key_last8: row.key_last8,
  domain_allowlist: parseStoredAllowlist(row.domain_allowlist),
  agent_id: row.agent_id,
  created_at: row.created_at,
  updated_at: row.updated_at,
  last_used_at: row.last_used_at,
  disabled_at: row.disabled_at,
});

/** A row written by hand or by an older version may not be a JSON array of strings: read it as empty. */
export function parseStoredAllowlist(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export async function findWidgetKey(db: Kysely<Database>, accountId: string, id: string) {
  return db.selectFrom('widget_keys').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

export async function listWidgetKeys(db: Kysely<Database>, accountId: string, params: ListParams) {
  const { rows, has_more } = await pageOf(db.selectFrom('widget_keys').selectAll().where('account_id', '=', accountId), 'id', params);
  return { data: rows.map(toWidgetKey), has_more };
}

/** Hard-deletes a key that was never used; otherwise disables it (keeping the first disabled_at). */
export async function deleteWidgetKey(db: Kysely<Database>, row: WidgetKeyTable) {
  // One conditional statement, so a first use racing with the delete can never lose its audit trail.
  const gone = await db.deleteFrom('widget_keys').where('id', '=', row.id).where('last_used_at', 'is', null).executeTakeFirst();
  if (Number(gone.numDeletedRows) === 1) return { id: row.id, deleted: true as const };
  const now = nowIso();
  await db
    .updateTable('widget_keys')
    .set((eb) => ({ disabled_at: eb.fn.coalesce('disabled_at', eb.val(now)), updated_at: now }))
    .where('id', '=', row.id)
    .execute();
  const after = await db.selectFrom('widget_keys').select('disabled_at').where('id', '=', row.id).executeTakeFirstOrThrow();
  return { id: row.id, deleted: false as const, disabled_at: after.disabled_at! };
}

export interface KeyForHandshake {
  row: WidgetKeyTable;
  agent: AgentPublic;
}

/** The key and the agent that answers for it (its own, or the account's default). */
export async function findKeyByHash(db: Kysely<Database>, keyHash: string): Promise<KeyForHandshake | null> {
  const row = await db.selectFrom('widget_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  if (!row) return null;
  let agentQuery = db.selectFrom('agents').select(['id', 'name', 'greeting', 'accent_color']).where('account_id', '=', row.account_id);
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
