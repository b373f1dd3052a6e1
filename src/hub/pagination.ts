/**
 * Cursor pagination shared by every list endpoint: newest first, `starting_after` is the last id of the
 * previous page. Ids are time-ordered text (ids.ts), so `id < cursor` is "older than the cursor".
 */
import type { SelectQueryBuilder } from 'kysely';

export const DEFAULT_PAGE_SIZE = 20;

export async function pageOf<DB, TB extends keyof DB, Row extends { id: string }>(
  query: SelectQueryBuilder<DB, TB, Row>,
  idColumn: string,
  params: { limit?: number; starting_after?: string },
): Promise<{ rows: Row[]; has_more: boolean }> {
  const limit = params.limit ?? DEFAULT_PAGE_SIZE;
  let q = query;
  // Kysely cannot type a column name passed in; the callers pass their table's id column.
  if (params.starting_after) q = q.where(idColumn as never, '<', params.starting_after as never);
  const rows = await q.orderBy(idColumn as never, 'desc').limit(limit + 1).execute();
  return { rows: rows.slice(0, limit), has_more: rows.length > limit };
}
