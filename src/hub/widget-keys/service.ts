/**
 * Writing widget keys: the rules every write path keeps, whoever calls (the Admin API, `kataven demo`):
 * the allowlist normalised, the agent checked, and the key cache told at once, so no path can forget it.
 */
import type { Kysely } from 'kysely';
import type { CreatedWidgetKey, CreateWidgetKeyParams, DeletedWidgetKey, UpdateWidgetKeyParams, WidgetKey } from '../../protocol/api.js';
import { findAgent } from '../agents/repo.js';
import { normalizeAllowlist } from '../allowlist/allowlist.js';
import type { Database } from '../db/schema.js';
import { HubError } from '../errors.js';
import { hashKey } from '../keys/format.js';
import type { KeyCache } from '../visitor/key-cache.js';
import { deleteBlockedOrigins } from '../blocked-origins/repo.js';
import { mintWidgetKey } from './create.js';
import { deleteWidgetKey, findWidgetKey, toWidgetKey, updateWidgetKey } from './repo.js';

interface WidgetKeyDeps {
  db: Kysely<Database>;
  keys: Pick<KeyCache, 'invalidate'>;
  /** The server secret: derives the keys of idempotent creates (create.ts). */
  secret: string;
}

function allowlistOrThrow(entries: string[]): string[] {
  const result = normalizeAllowlist(entries);
  if (!result.ok) throw new HubError(400, 'invalid_allowlist', result.errors.join('; '));
  return result.list;
}

async function agentOrThrow(db: Kysely<Database>, accountId: string, agentId: string | null | undefined): Promise<void> {
  if (agentId && !(await findAgent(db, accountId, agentId))) {
    throw new HubError(400, 'invalid_request', `agent_id: no agent ${JSON.stringify(agentId)} in this account; list yours with GET /api/v1/agents, or send null for the default agent`);
  }
}

export const notFound = (id: string) => new HubError(404, 'not_found', `No widget key ${JSON.stringify(id)} in this account; list yours with GET /api/v1/widget-keys`);

export async function create(
  deps: WidgetKeyDeps,
  accountId: string,
  params: CreateWidgetKeyParams,
  idempotencyKey?: string,
): Promise<{ created: CreatedWidgetKey; replayed: boolean }> {
  const allowlist = allowlistOrThrow(params.domain_allowlist ?? []);
  await agentOrThrow(deps.db, accountId, params.agent_id);
  const result = await mintWidgetKey(deps.db, { accountId, params, allowlist, idempotencyKey, secret: deps.secret });
  // A cached "not found" for this hash must not outlive the key's creation.
  deps.keys.invalidate([hashKey(result.created.key)]);
  return result;
}

export async function update(deps: WidgetKeyDeps, accountId: string, id: string, patch: UpdateWidgetKeyParams): Promise<WidgetKey> {
  // Validate everything before writing anything: a rejected update changes nothing.
  const row = await findWidgetKey(deps.db, accountId, id);
  if (!row) throw notFound(id);
  const allowlist = patch.domain_allowlist === undefined ? undefined : allowlistOrThrow(patch.domain_allowlist);
  await agentOrThrow(deps.db, accountId, patch.agent_id);
  const after = await updateWidgetKey(deps.db, accountId, id, { ...patch, domain_allowlist: allowlist });
  deps.keys.invalidate([row.key_hash]);
  if (!after) throw notFound(id); // deleted by a concurrent request
  return toWidgetKey(after);
}

export async function remove(deps: WidgetKeyDeps, accountId: string, id: string): Promise<DeletedWidgetKey> {
  const row = await findWidgetKey(deps.db, accountId, id);
  if (!row) throw notFound(id);
  const result = await deleteWidgetKey(deps.db, row);
  if (result.deleted) await deleteBlockedOrigins(deps.db, id);
  deps.keys.invalidate([row.key_hash]);
  return result;
}
