/**
 * Writing agents: the rules every write path keeps, whoever calls (the Admin API today). A changed agent
 * drops the cached keys it answers for (they embed its name, greeting and colour), and only those: other
 * agents' and other accounts' keys stay cached.
 */
import type { Kysely } from 'kysely';
import type { Agent, CreateAgentParams, UpdateAgentParams } from '../../protocol/api.js';
import type { Database } from '../db/schema.js';
import { HubError } from '../errors.js';
import type { KeyCache } from '../visitor/key-cache.js';
import { insertAgent, keyHashesAnsweredBy, replaceWebhookSecret, updateAgent } from './repo.js';

interface AgentDeps {
  db: Kysely<Database>;
  keys: Pick<KeyCache, 'invalidate'>;
}

export const agentNotFound = (id: string) => new HubError(404, 'not_found', `No agent ${JSON.stringify(id)} in this account; list yours with GET /api/v1/agents`);

/** Only http(s) URLs: the hub POSTs every visitor message there. */
function checkWebhookUrl(url: string | null | undefined): void {
  if (url === null || url === undefined) return;
  let ok = false;
  try {
    const u = new URL(url);
    ok = (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
  } catch {
    ok = false;
  }
  if (!ok) throw new HubError(400, 'invalid_request', `webhook_url: ${JSON.stringify(url)} is not an http(s) URL without credentials, e.g. "https://example.com/kataven-webhook"`);
}

export async function create(deps: AgentDeps, accountId: string, params: CreateAgentParams): Promise<Agent> {
  checkWebhookUrl(params.webhook_url);
  return insertAgent(deps.db, accountId, params);
}

export async function update(deps: AgentDeps, accountId: string, id: string, patch: UpdateAgentParams): Promise<Agent> {
  checkWebhookUrl(patch.webhook_url);
  const agent = await updateAgent(deps.db, accountId, id, patch);
  if (!agent) throw agentNotFound(id);
  deps.keys.invalidate(await keyHashesAnsweredBy(deps.db, agent, accountId));
  return agent;
}

/**
 * A new webhook secret, at once: the old one signs nothing more. An agent verifying with the old secret
 * refuses the hub's requests until it has the new one, so deploy it to the agent right after.
 */
export async function rotateWebhookSecret(deps: AgentDeps, accountId: string, id: string): Promise<Agent> {
  const agent = await replaceWebhookSecret(deps.db, accountId, id);
  if (!agent) throw agentNotFound(id);
  return agent;
}
