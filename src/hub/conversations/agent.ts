/**
 * The turn runner's one door to the agent: a stored agent as an agent-call target (src/hub/agent-call/:
 * demo, Standard Webhooks webhook, or OpenAI-compatible model), called within the hub's limits.
 */
import type { MessageCreatedEvent } from '../../protocol/agent-webhook.js';
import { callAgent, type AgentChunk, type AgentCallResult, type AgentTarget } from '../agent-call/call.js';
import { DEFAULT_AGENT_LIMITS } from '../agent-call/limits.js';
import type { AgentTable } from '../db/schema.js';
import type { HubMetrics } from '../metrics/metrics.js';

export { AgentFailure } from '../agent-call/failure.js';
export type { AgentChunk } from '../agent-call/call.js';

export interface AgentCallSettings {
  /** `KATAVEN_WEBHOOK_TIMEOUT_MS`: how long the agent may take to start answering. */
  firstByteMs: number;
  allowPrivate: boolean;
  metrics: HubMetrics;
}

function target(agent: AgentTable): AgentTarget {
  if (agent.webhook_url) return { kind: 'webhook', name: agent.name, url: agent.webhook_url, secret: agent.webhook_secret };
  if (agent.llm_base_url && agent.llm_model) {
    return { kind: 'llm', name: agent.name, base_url: agent.llm_base_url, model: agent.llm_model, api_key: agent.llm_api_key, system_prompt: agent.llm_system_prompt };
  }
  return { kind: 'demo', name: agent.name };
}

export function askAgent(agent: AgentTable, event: MessageCreatedEvent, settings: AgentCallSettings, signal: AbortSignal): AsyncGenerator<AgentChunk, AgentCallResult> {
  const to = target(agent);
  return callAgent(to, event, {
    allowPrivate: settings.allowPrivate,
    meter: settings.metrics.agentCall(to.kind === 'llm' ? 'openai' : to.kind),
    limits: { ...DEFAULT_AGENT_LIMITS, firstByteMs: settings.firstByteMs },
    signal,
  });
}
