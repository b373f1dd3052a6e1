/** Widget key rows and their Idempotency-Key records: every query of the Admin API's widget keys. */
import type { Kysely } from 'kysely';
import type { ListParams, WidgetKey } from '../../protocol/api.js';
import { parseStoredAllowlist } from '../allowlist/allowlist.js';
import type { Database, IdempotencyKeyTable, WidgetKeyTable } from '../db/schema.js';
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
  mode: row.mode,
});

export async function findWidgetKey(db: Kysely<Database>, accountId: string, id: string) {
  return db.selectFrom('widget_keys').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/** By id alone: for an Idempotency-Key record, which names the key it created. */
export async function findWidgetKeyById(db: Kysely<Database>, id: string) {
  return db.selectFrom('widget_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function widgetKeyExists(db: Kysely<Database>, keyHash: string): Promise<boolean> {
  return (await db.selectFrom('widget_keys').select('id').where('key_hash', '=', keyHash).executeTakeFirst()) !== undefined;
}

export async function listWidgetKeys(db: Kysely<Database>, accountId: string, params: ListParams) {
  const { rows, has_more } = await pageOf(db.selectFrom('widget_keys').selectAll().where('account_id', '=', accountId), 'id', params);
  return { data: rows.map(toWidgetKey), has_more };
}

/**
 * Inserts a key and, with an Idempotency-Key, its record, in one transaction: a record expired by
 * `expiredBefore` gives way; a live one makes the insert fail (primary key), which the caller reads as a race.
 */
export async function insertWidgetKey(
  db: Kysely<Database>,
  row: WidgetKeyTable,
  idempotency?: { record: IdempotencyKeyTable; expiredBefore: string },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (idempotency) {
      const { record, expiredBefore } = idempotency;
      await trx
        .deleteFrom('idempotency_keys')
        .where('account_id', '=', record.account_id)
        .where('idem_key', '=', record.idem_key)
        .where('created_at', '<', expiredBefore)
        .execute();
      await trx.insertInto('idempotency_keys').values(record).execute();
    }
    await trx.insertInto('widget_keys').values(row).execute();
  });
}

/** The account's record for `idemKey`, if made at or after `since`. */
export async function findIdempotencyRecord(db: Kysely<Database>, accountId: string, idemKey: string, since: string) {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('idem_key', '=', idemKey)
    .where('created_at', '>=', since)
    .executeTakeFirst();
}

interface WidgetKeyChanges {
  name?: string;
  /** Already normalised. */
  domain_allowlist?: string[];
  agent_id?: string | null;
  disabled?: boolean;
}

/** Applies a PATCH in one statement; the row after it, or undefined when the account has no such key. */
export async function updateWidgetKey(db: Kysely<Database>, accountId: string, id: string, patch: WidgetKeyChanges) {
  const now = nowIso();
  const changes: Partial<Record<string, string | null>> = { updated_at: now };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.domain_allowlist !== undefined) changes.domain_allowlist = JSON.stringify(patch.domain_allowlist);
  if (patch.agent_id !== undefined) changes.agent_id = patch.agent_id;
  if (patch.disabled === false) changes.disabled_at = null;
  return db
    .updateTable('widget_keys')
    .set((eb) => ({
      ...changes,
      // disabled: true keeps the first timestamp: a second call changes nothing.
      ...(patch.disabled === true ? { disabled_at: eb.fn.coalesce('disabled_at', eb.val(now)) } : {}),
    }))
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .returningAll()
    .executeTakeFirst();
}

/** Hard-deletes a key that was never used; otherwise disables it (keeping the first disabled_at). */
export async function deleteWidgetKey(db: Kysely<Database>, row: WidgetKeyTable) {
  // One conditional statement, so a first use racing with the delete can never lose its audit trail.
  const gone = await db.deleteFrom('widget_keys').where('id', '=', row.id).where('last_used_at', 'is', null).executeTakeFirst();
  if (Number(gone.numDeletedRows) === 1) return { id: row.id, deleted: true as const };
  const now = nowIso();
  const after = await db
    .updateTable('widget_keys')
    .set((eb) => ({ disabled_at: eb.fn.coalesce('disabled_at', eb.val(now)), updated_at: now }))
    .where('id', '=', row.id)
    .returning('disabled_at')
    .executeTakeFirstOrThrow();
  return { id: row.id, deleted: false as const, disabled_at: after.disabled_at! };
}
