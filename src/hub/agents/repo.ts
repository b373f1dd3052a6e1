/** Agents: who answers in the widget. Every account has one default agent, used by keys with agent_id null. */
import type { Kysely } from 'kysely';
import { newWebhookSecret } from '../../client/webhook-signature.js';
import type { Agent, ListParams, Llm } from '../../protocol/api.js';
import { DEFAULT_ACCENT_COLOR } from '../../protocol/handshake.js';
import { ID_PREFIX } from '../../protocol/ids.js';
import type { AgentTable, Database } from '../db/schema.js';
import { newId, nowIso } from '../ids.js';
import { pageOf } from '../pagination.js';

const DEFAULT_GREETING = 'Hi! How can we help you today?';

/** Shorter keys show none of their characters: four of seven would give most of the key away. */
const MIN_KEY_LENGTH_FOR_LAST4 = 8;

/** The stored columns of one way of answering, as service.ts decides them; absent ones stay as they are. */
export type AgentColumns = Partial<Pick<AgentTable, 'name' | 'greeting' | 'accent_color' | 'theme' | 'locale' | 'webhook_url' | 'llm_base_url' | 'llm_model' | 'llm_api_key' | 'llm_system_prompt'>>;

function toLlm(row: AgentTable): Llm | null {
  if (row.llm_base_url === null || row.llm_model === null) return null;
  const key = row.llm_api_key;
  return {
    base_url: row.llm_base_url,
    model: row.llm_model,
    system_prompt: row.llm_system_prompt,
    // The key itself never leaves the hub but in the model request's authorization header.
    api_key_last4: key === null ? null : key.length >= MIN_KEY_LENGTH_FOR_LAST4 ? key.slice(-4) : '',
  };
}

export const toAgent = (row: AgentTable): Agent => ({
  id: row.id,
  name: row.name,
  greeting: row.greeting,
  accent_color: row.accent_color,
  theme: row.theme,
  locale: row.locale,
  webhook_url: row.webhook_url,
  webhook_secret: row.webhook_secret,
  llm: toLlm(row),
  is_default: row.is_default === 1,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

export async function insertAgent(db: Kysely<Database>, accountId: string, columns: AgentColumns & { name: string }, isDefault = false): Promise<Agent> {
  const now = nowIso();
  const row: AgentTable = {
    id: newId(ID_PREFIX.agent),
    account_id: accountId,
    name: columns.name,
    greeting: columns.greeting ?? DEFAULT_GREETING,
    accent_color: (columns.accent_color ?? DEFAULT_ACCENT_COLOR).toLowerCase(),
    theme: columns.theme ?? 'auto',
    locale: columns.locale ?? null,
    webhook_url: columns.webhook_url ?? null,
    webhook_secret: newWebhookSecret(),
    llm_base_url: columns.llm_base_url ?? null,
    llm_model: columns.llm_model ?? null,
    llm_api_key: columns.llm_api_key ?? null,
    llm_system_prompt: columns.llm_system_prompt ?? null,
    is_default: isDefault ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('agents').values(row).execute();
  return toAgent(row);
}

export async function findAgent(db: Kysely<Database>, accountId: string, id: string): Promise<AgentTable | undefined> {
  return db.selectFrom('agents').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

export async function listAgents(db: Kysely<Database>, accountId: string, params: ListParams) {
  const { rows, has_more } = await pageOf(db.selectFrom('agents').selectAll().where('account_id', '=', accountId), 'id', params);
  return { data: rows.map(toAgent), has_more };
}

/**
 * One statement: the updated row, or undefined when the account has no such agent (or, with
 * `whileBaseUrl`, when its llm.base_url is no longer that value: a concurrent change).
 */
export async function updateAgent(
  db: Kysely<Database>,
  accountId: string,
  id: string,
  columns: AgentColumns,
  whileBaseUrl?: string | null,
): Promise<Agent | undefined> {
  const changes = { ...columns, ...(columns.accent_color ? { accent_color: columns.accent_color.toLowerCase() } : {}), updated_at: nowIso() };
  let query = db.updateTable('agents').set(changes).where('account_id', '=', accountId).where('id', '=', id);
  if (whileBaseUrl !== undefined) query = query.where('llm_base_url', whileBaseUrl === null ? 'is' : '=', whileBaseUrl);
  const row = await query.returningAll().executeTakeFirst();
  return row && toAgent(row);
}

/** A new webhook secret in one statement (the format is the one src/client/webhook-signature.ts signs with); undefined when no such agent. */
export async function replaceWebhookSecret(db: Kysely<Database>, accountId: string, id: string): Promise<Agent | undefined> {
  const row = await db
    .updateTable('agents')
    .set({ webhook_secret: newWebhookSecret(), updated_at: nowIso() })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toAgent(row);
}

/** The hashes of the widget keys `agent` answers for: those naming it, and, for the default agent, those naming none. */
export async function keyHashesAnsweredBy(db: Kysely<Database>, agent: Pick<Agent, 'id' | 'is_default'>, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('widget_keys')
    .select('key_hash')
    .where('account_id', '=', accountId)
    .where((eb) => (agent.is_default ? eb.or([eb('agent_id', '=', agent.id), eb('agent_id', 'is', null)]) : eb('agent_id', '=', agent.id)))
    .execute();
  return rows.map((r) => r.key_hash);
}
