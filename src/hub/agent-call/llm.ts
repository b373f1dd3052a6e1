/**
 * The built-in agent for OpenAI-compatible servers (Ollama, vLLM, LiteLLM, hosted models): POST
 * `{base_url}/chat/completions` with `stream: true`, and relay `choices[0].delta.content` until `[DONE]`.
 * The api_key goes in one header and nowhere else: every failure detail is scrubbed of it.
 */
import type { IncomingMessage } from 'node:http';
import type { MessageCreatedEvent } from '../../protocol/agent-webhook.js';
import type { MessageRole } from '../../protocol/widget-api.js';
import type { AgentCallResult, AgentChunk, LlmTarget } from './call.js';
import type { CallContext } from './context.js';
import { AgentFailure } from './failure.js';
import { expectSuccess, mediaType, postToAgent, readWhole, streamEvents, USER_AGENT } from './post.js';

/** A person who took over speaks for the site, as the agent does. */
const ROLES: Record<MessageRole, 'user' | 'assistant'> = { visitor: 'user', agent: 'assistant', person: 'assistant' };

type ChatTurn = { role: 'system' | 'user' | 'assistant'; content: string };

/**
 * What the model is told of the visitor, after the system prompt: the hub's word (docs/identity.md), so
 * that a visitor who only types "I am Ada" is not taken for a signed-in Ada.
 */
export function visitorContext(visitor: MessageCreatedEvent['visitor']): string {
  if (!visitor.verified) return 'Visitor: {"verified":false}. The visitor is not signed in; who they say they are is unverified.';
  return `Visitor: ${JSON.stringify(visitor)}. The site signed this visitor in; id is the site's own user id.`;
}

/** The model's conversation: the system prompt and the visitor, then every message that reached the visitor whole. */
function chatTurns(target: LlmTarget, event: MessageCreatedEvent): ChatTurn[] {
  const system = [target.system_prompt, visitorContext(event.visitor)].filter(Boolean).join('\n\n');
  const turns: ChatTurn[] = [{ role: 'system', content: system }];
  for (const m of [...event.history, event.message]) {
    // A failed or unfinished reply was cut off: feeding it back would have the model continue a broken answer.
    if (m.text && (m.status ?? 'completed') === 'completed') turns.push({ role: ROLES[m.role], content: m.text });
  }
  return turns;
}

interface Chunk {
  choices?: { delta?: { content?: unknown }; message?: { content?: unknown }; finish_reason?: unknown }[];
  error?: { message?: unknown } | string;
}

export async function* llmAgent(ctx: CallContext, target: LlmTarget, event: MessageCreatedEvent): AsyncGenerator<AgentChunk, AgentCallResult> {
  try {
    return yield* completion(ctx, target, event);
  } catch (err) {
    if (!(err instanceof AgentFailure) || !target.api_key) throw err;
    const scrubbed = err.detail.split(target.api_key).join('[api_key]');
    throw scrubbed === err.detail ? err : ctx.fail(err.type, scrubbed);
  }
}

async function* completion(ctx: CallContext, target: LlmTarget, event: MessageCreatedEvent): AsyncGenerator<AgentChunk, AgentCallResult> {
  const url = `${target.base_url.replace(/\/+$/, '')}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream', 'user-agent': USER_AGENT };
  if (target.api_key) headers.authorization = `Bearer ${target.api_key}`;
  const body = JSON.stringify({ model: target.model, stream: true, messages: chatTurns(target, event) });
  const res = await postToAgent(ctx, url, headers, body, 'llm.base_url');
  ctx.watchdog.arm('idle');
  await expectSuccess(ctx, res, 'the model server', {
    401: 'check the agent\'s llm.api_key',
    403: 'check the agent\'s llm.api_key and its access to the model',
    404: `no ${url}, or no model ${JSON.stringify(target.model)}: base_url usually ends in /v1`,
    429: `rate limited or out of quota${res.headers['retry-after'] ? `, retry after ${res.headers['retry-after']} s` : ''}`,
  });
  const type = mediaType(res);
  if (type === 'application/json') {
    // A server that ignores `stream: true` answers one whole completion.
    const content = parse(ctx, (await readWhole(ctx, res)) ?? '').choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw ctx.fail('agent_bad_answer', 'the model server\'s JSON answer has no choices[0].message.content');
    yield { type: 'delta', text: content };
    return { accepted: false };
  }
  if (type !== 'text/event-stream') {
    res.destroy();
    throw ctx.fail('agent_bad_answer', `the model server answered content-type ${type || '(none)'}, not text/event-stream`);
  }
  yield* deltas(ctx, res);
  return { accepted: false };
}

function parse(ctx: CallContext, data: string): Chunk {
  let chunk: Chunk;
  try {
    chunk = JSON.parse(data) as Chunk;
  } catch {
    throw ctx.fail('agent_bad_answer', `the model server sent data that is not JSON: ${JSON.stringify(data.slice(0, 80))}`);
  }
  if (chunk?.error) {
    const message = typeof chunk.error === 'string' ? chunk.error : String(chunk.error.message ?? 'no message');
    throw ctx.fail('agent_unavailable', `the model server reported an error: ${message.slice(0, 200)}`);
  }
  return chunk;
}

async function* deltas(ctx: CallContext, res: IncomingMessage): AsyncGenerator<AgentChunk> {
  let finished = false;
  for await (const { data } of streamEvents(ctx, res)) {
    if (data === '[DONE]') return;
    const choice = parse(ctx, data).choices?.[0];
    if (typeof choice?.delta?.content === 'string' && choice.delta.content) yield { type: 'delta', text: choice.delta.content };
    // Some servers close after the chunk carrying finish_reason without sending [DONE]: complete all the same.
    if (choice?.finish_reason) finished = true;
  }
  if (!finished) throw ctx.fail('agent_unavailable', 'the model server\'s stream ended before [DONE]');
}
