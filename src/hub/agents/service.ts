/**
 * Writing agents: the rules every write path keeps, whoever calls (the Admin API today). An agent answers
 * one way: its webhook, an OpenAI-compatible model (`llm`), or the demo agent when it has neither. A changed
 * agent drops the cached keys it answers for (they embed its name, greeting, colour, theme and locale), and only those:
 * other agents' and other accounts' keys stay cached.
 */
import type { Kysely } from 'kysely';
import type { Agent, CreateAgentParams, LlmParams, UpdateAgentParams } from '../../protocol/api.js';
import { contrast, GRAPHIC_CONTRAST, LIGHT_INK, paint, TEXT_CONTRAST } from '../../protocol/colour.js';
import { checkAgentUrl } from '../agent-call/url-guard.js';
import type { Database } from '../db/schema.js';
import { HubError } from '../errors.js';
import type { KeyCache } from '../visitor/key-cache.js';
import { findAgent, insertAgent, keyHashesAnsweredBy, replaceWebhookSecret, updateAgent, type AgentColumns } from './repo.js';

interface AgentDeps {
  db: Kysely<Database>;
  keys: Pick<KeyCache, 'invalidate'>;
  /** `KATAVEN_ALLOW_PRIVATE_WEBHOOKS`: the same switch the send-time check reads (agent-call/url-guard.ts). */
  allowPrivate: boolean;
}

export const agentNotFound = (id: string) => new HubError(404, 'not_found', `No agent ${JSON.stringify(id)} in this account; list yours with GET /api/v1/agents`);

const invalid = (message: string) => new HubError(400, 'invalid_request', message);

/** The network rule at save, in the one place it is written (url-guard.ts); it is checked again at send. */
function checkUrl(url: string, field: string, allowPrivate: boolean): void {
  const checked = checkAgentUrl(url, { allowPrivate, field });
  if (!checked.ok) throw invalid(checked.message);
}

const NO_LLM = { llm_base_url: null, llm_model: null, llm_api_key: null, llm_system_prompt: null } as const;

/**
 * The columns a write sets. Choosing one way of answering clears the other, so an agent never has both;
 * `llm` without `api_key` leaves the stored key as it is (the caller cannot read it back to resend it).
 */
function columnsOf(params: UpdateAgentParams, allowPrivate: boolean): AgentColumns {
  const { llm, webhook_url, ...rest } = params;
  if (llm && webhook_url) {
    throw invalid('webhook_url and llm: give one, not both. An agent answers through its webhook or through an OpenAI-compatible model');
  }
  const columns: AgentColumns = { ...rest };
  if (webhook_url !== undefined) {
    if (webhook_url !== null) checkUrl(webhook_url, 'webhook_url', allowPrivate);
    columns.webhook_url = webhook_url;
    if (webhook_url !== null) Object.assign(columns, NO_LLM);
  }
  if (llm === null) Object.assign(columns, NO_LLM);
  if (llm) {
    checkUrl(llm.base_url, 'llm.base_url', allowPrivate);
    Object.assign(columns, { webhook_url: null, llm_base_url: llm.base_url, llm_model: llm.model, llm_system_prompt: llm.system_prompt ?? null });
    if (llm.api_key !== undefined) columns.llm_api_key = llm.api_key;
  }
  return columns;
}

/**
 * What the owner should know about a colour just saved (protocol/colour.ts decides, for the frame too):
 * it is kept as given, and the widget adapts, but a different colour would need no adapting.
 */
export function accentWarnings(accent: string | undefined): NonNullable<Agent['warnings']> {
  if (!accent) return [];
  const { surface, ring } = paint(accent);
  const warnings = [];
  if (ring) {
    const ratio = contrast(accent, LIGHT_INK).toFixed(2);
    warnings.push({
      field: 'accent_color',
      message: `accent_color ${accent} has ${ratio}:1 contrast against a white page (under ${GRAPHIC_CONTRAST}:1, WCAG 1.4.11): the widget outlines its launcher to keep it visible; a darker colour needs no outline`,
    });
  }
  if (surface !== accent) {
    warnings.push({
      field: 'accent_color',
      message: `accent_color ${accent}: neither white nor dark text reaches ${TEXT_CONTRAST}:1 on it (WCAG 1.4.3), so the widget's header, the visitor's bubbles and Send use the darker ${surface}; pick a lighter or darker colour to have it used as is`,
    });
  }
  return warnings;
}

/** The agent with its warnings, when there are any. */
const withWarnings = (agent: Agent, accent: string | undefined): Agent => {
  const warnings = accentWarnings(accent?.toLowerCase());
  return warnings.length ? { ...agent, warnings } : agent;
};

export async function create(deps: AgentDeps, accountId: string, params: CreateAgentParams): Promise<Agent> {
  return withWarnings(await insertAgent(deps.db, accountId, { ...columnsOf(params, deps.allowPrivate), name: params.name }), params.accent_color);
}

export async function update(deps: AgentDeps, accountId: string, id: string, patch: UpdateAgentParams): Promise<Agent> {
  const columns = columnsOf(patch, deps.allowPrivate);
  const agent = patch.llm && patch.llm.api_key === undefined
    ? await updateKeepingKey(deps, accountId, id, patch.llm, columns)
    : await updateAgent(deps.db, accountId, id, columns);
  if (!agent) throw agentNotFound(id);
  deps.keys.invalidate(await keyHashesAnsweredBy(deps.db, agent, accountId));
  return withWarnings(agent, patch.accent_color);
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

/**
 * An llm update that keeps the stored api_key, but only for the same origin: otherwise whoever holds the
 * secret key could point base_url at a server of theirs and receive the model key, which the API never
 * shows. The update applies only while base_url is still what was checked (a concurrent write is a 409).
 */
async function updateKeepingKey(deps: AgentDeps, accountId: string, id: string, llm: LlmParams, columns: AgentColumns): Promise<Agent | undefined> {
  const stored = await findAgent(deps.db, accountId, id);
  if (!stored) return undefined;
  if (stored.llm_api_key !== null && stored.llm_base_url !== null && new URL(stored.llm_base_url).origin !== new URL(llm.base_url).origin) {
    throw invalid(
      `llm.api_key: llm.base_url moves from ${new URL(stored.llm_base_url).origin} to ${new URL(llm.base_url).origin}, so the stored key is not sent there: give llm.api_key again (or null for none)`,
    );
  }
  const agent = await updateAgent(deps.db, accountId, id, columns, stored.llm_base_url);
  if (!agent) throw new HubError(409, 'conflict', `Agent ${id} changed while this update ran: retrieve it and send the update again`);
  return agent;
}
