/**
 * The `--llm-*` flags of `kataven agents create|update` as the API's `llm` object. The API replaces `llm`
 * whole on update (only an absent api_key is kept), so an update that names some fields fills the others
 * from the agent as it is, and `--llm-model gpt-4o` alone changes just the model.
 */
import type { Agent, LlmParams } from '../client/index.js';

export const LLM_FLAGS = {
  'llm-base-url': { type: 'string' },
  'llm-model': { type: 'string' },
  'llm-api-key': { type: 'string' },
  'llm-system-prompt': { type: 'string' },
} as const;

export const LLM_FLAG_NAMES = Object.keys(LLM_FLAGS) as (keyof typeof LLM_FLAGS)[];

export const LLM_FLAGS_HELP = `  --llm-base-url URL     an OpenAI-compatible API root, e.g. https://api.openai.com/v1; the model answers
                         instead of a webhook. A model on the hub's machine or network, such as Ollama
                         at http://localhost:11434/v1, needs the hub started with
                         KATAVEN_ALLOW_PRIVATE_WEBHOOKS=true (--allow-private-webhooks)
  --llm-model MODEL      the model, e.g. gpt-4o-mini or llama3.2
  --llm-api-key KEY      sent as Authorization: Bearer; never shown again (the agent shows its last 4).
                         On update, leave it out to keep the stored key. Your shell history keeps what you
                         type: pass it from a variable, --llm-api-key "$OPENAI_API_KEY"
  --llm-system-prompt T  the system message the model gets first
  --no-llm               (update) remove the model`;

type LlmValues = Partial<Record<keyof typeof LLM_FLAGS, string>>;

export const hasLlmFlags = (values: LlmValues) => LLM_FLAG_NAMES.some((name) => values[name] !== undefined);

/**
 * The `llm` to send, from the flags and (on update) the agent's current model; a string says what is
 * missing when base URL or model is neither given nor already there.
 */
export function llmFromFlags(values: LlmValues, current: Agent['llm'] = null): LlmParams | string {
  const base_url = values['llm-base-url'] ?? current?.base_url;
  const model = values['llm-model'] ?? current?.model;
  // A current llm has both, so only an agent without one gets here.
  if (!base_url || !model) return 'an agent answered by a model needs --llm-base-url URL and --llm-model MODEL';
  const llm: LlmParams = { base_url, model };
  const systemPrompt = values['llm-system-prompt'] ?? current?.system_prompt;
  if (systemPrompt !== undefined) llm.system_prompt = systemPrompt;
  if (values['llm-api-key'] !== undefined) llm.api_key = values['llm-api-key'];
  return llm;
}

/** The lines `kataven agents` prints about how an agent answers. */
export function answeredBy(agent: Agent): [string, string][] {
  if (agent.llm) {
    const key = agent.llm.api_key_last4 === null ? 'none' : agent.llm.api_key_last4 ? `…${agent.llm.api_key_last4}` : 'set (too short to show any of it)';
    return [
      ['answers', `the model ${agent.llm.model} at ${agent.llm.base_url}`],
      ['llm api key', key],
      ['system prompt', agent.llm.system_prompt ?? 'none'],
    ];
  }
  return [['webhook', agent.webhook_url ?? 'none (the demo agent answers)']];
}
