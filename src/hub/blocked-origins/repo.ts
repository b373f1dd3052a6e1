/** The queries of `blocked_origins`: the recorder's upsert, trim and expiry, and the Admin API's list. */
import type { Kysely } from 'kysely';
import { MAX_BLOCKED_ORIGINS, type BlockedOrigin } from '../../protocol/api.js';
import type { BlockedOriginTable, Database } from '../db/schema.js';

/**
 * Adds `row.seen_count` refusals to the key's row for that origin, or inserts it. Several processes
 * write the same row, each at most once a minute: counts add up, the first sighting stays the earliest.
 */
export async function upsertBlockedOrigin(db: Kysely<Database>, row: BlockedOriginTable): Promise<void> {
  await db
    .insertInto('blocked_origins')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['widget_key_id', 'origin']).doUpdateSet((eb) => ({
        seen_count: eb('blocked_origins.seen_count', '+', eb.ref('excluded.seen_count')),
        // Writes of two processes may land in either order: the earliest first, the latest last (and its type).
        first_seen_at: eb.case().when('excluded.first_seen_at', '<', eb.ref('blocked_origins.first_seen_at'))
          .then(eb.ref('excluded.first_seen_at')).else(eb.ref('blocked_origins.first_seen_at')).end(),
        type: eb.case().when('excluded.last_seen_at', '>=', eb.ref('blocked_origins.last_seen_at'))
          .then(eb.ref('excluded.type')).else(eb.ref('blocked_origins.type')).end(),
        last_seen_at: eb.case().when('excluded.last_seen_at', '>', eb.ref('blocked_origins.last_seen_at'))
          .then(eb.ref('excluded.last_seen_at')).else(eb.ref('blocked_origins.last_seen_at')).end(),
      })),
    )
    .execute();
}

/** Keeps the key's MAX_BLOCKED_ORIGINS most recent rows: a flood of forged origins displaces, never grows. */
export async function trimBlockedOrigins(db: Kysely<Database>, widgetKeyId: string): Promise<void> {
  await db
    .deleteFrom('blocked_origins')
    .where('widget_key_id', '=', widgetKeyId)
    .where('origin', 'not in', (eb) =>
      eb.selectFrom('blocked_origins').select('origin').where('widget_key_id', '=', widgetKeyId).orderBy('last_seen_at', 'desc').orderBy('origin').limit(MAX_BLOCKED_ORIGINS),
    )
    .execute();
}

/** Drops the rows last seen before `before` (every key's). */
export async function expireBlockedOrigins(db: Kysely<Database>, before: string): Promise<void> {
  await db.deleteFrom('blocked_origins').where('last_seen_at', '<', before).execute();
}

export async function deleteBlockedOrigins(db: Kysely<Database>, widgetKeyId: string): Promise<void> {
  await db.deleteFrom('blocked_origins').where('widget_key_id', '=', widgetKeyId).execute();
}

/** Newest first, rows older than `since` left out (the hourly expiry may not have run yet). */
export async function listBlockedOrigins(db: Kysely<Database>, widgetKeyId: string, since: string): Promise<BlockedOrigin[]> {
  const rows = await db
    .selectFrom('blocked_origins')
    .select(['origin', 'type', 'seen_count', 'first_seen_at', 'last_seen_at'])
    .where('widget_key_id', '=', widgetKeyId)
    .where('last_seen_at', '>=', since)
    .orderBy('last_seen_at', 'desc')
    .orderBy('origin')
    .limit(MAX_BLOCKED_ORIGINS)
    .execute();
  // PostgreSQL may hand an integer over as a string when it is summed.
  return rows.map(({ seen_count, ...r }) => ({ ...r, count: Number(seen_count) }));
}
