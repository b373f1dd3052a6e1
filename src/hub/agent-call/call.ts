/**
 * The one entry point for asking an agent to answer: `callAgent` streams the answer of a demo, webhook or
 * OpenAI-compatible agent as chunks, within limits, and ends in a result or an `AgentFailure`.
 *
 * @example
 * const answer = callAgent(target, event, { allowPrivate: config.allowPrivateWebhooks, signal });
 * for (let step = await answer.next(); ; step = await answer.next()) {
 *   if (step.done) { if (step.value.accepted) waitForLaterReply(); break; }
 *   relay(step.value);   // { type: 'delta', text } or { type: 'status', text }
 * }
 */
import { MAX_AGENT_STATUS_LENGTH, type MessageCreatedEvent } from '../../protocol/agent-webhook.js';
import { CallContext } from './context.js';
import { DEMO_WORD_DELAY_MS, demoAgent } from './demo.js';
import { AgentFailure } from './failure.js';
import { DEFAULT_AGENT_LIMITS, Watchdog, type AgentLimits } from './limits.js';
import { llmAgent } from './llm.js';
import { systemResolver, type Resolver } from './url-guard.js';
import { webhookAgent } from './webhook.js';

export interface DemoTarget { kind: 'demo'; name: string }
export interface WebhookTarget { kind: 'webhook'; name: string; url: string; secret: string }
export interface LlmTarget {
  kind: 'llm';
  name: string;
  base_url: string;
  model: string;
  api_key: string | null;
  system_prompt: string | null;
}
/** Who answers; `name` is the agent's display name, used in the visitor's failure sentence. */
export type AgentTarget = DemoTarget | WebhookTarget | LlmTarget;

/** A piece of the answer: more reply text, or what the agent is doing now. */
export type AgentChunk = { type: 'delta'; text: string } | { type: 'status'; text: string };

/** `accepted`: the agent answered 202; its reply comes later through the Admin API. */
export interface AgentCallResult {
  accepted: boolean;
}

/**
 * Watches one call for the hub's metrics (metrics/metrics.ts): `streamed` when a webhook answers with an
 * event stream, `firstDelta` at the first reply text, `end` once with the outcome (`completed`,
 * `accepted`, `aborted` or the failure type). Calls after the first `end` are ignored.
 */
export interface AgentMeter {
  streamed(): void;
  firstDelta(): void;
  end(outcome: string): void;
}

export interface AgentCallOptions {
  /** Whether agent URLs may reach private networks: `KATAVEN_ALLOW_PRIVATE_WEBHOOKS`. */
  allowPrivate: boolean;
  limits?: AgentLimits;
  /** Aborting ends the call at once; the generator then throws the signal's reason (not an AgentFailure). */
  signal?: AbortSignal;
  /** How host names resolve; tests inject one to play DNS. */
  resolve?: Resolver;
  /** Pause between the demo agent's words. */
  demoWordDelayMs?: number;
  meter?: AgentMeter;
}

/** Drops a lone high surrogate at the end, so a cut never leaves half a character. */
const cut = (text: string, length: number) => text.slice(0, /[\uD800-\uDBFF]/.test(text[length - 1] ?? '') ? length - 1 : length);

/**
 * Streams the agent's answer to `event`. Throws `AgentFailure`: `type` and `message` are for the visitor,
 * `detail` (status codes, hosts, the agent's own words) for the owner's log. Past `maxReplyChars` the text
 * up to the cap is yielded first, then it throws `agent_too_long`, so the relay can keep that part.
 */
export async function* callAgent(target: AgentTarget, event: MessageCreatedEvent, options: AgentCallOptions): AsyncGenerator<AgentChunk, AgentCallResult> {
  const limits = options.limits ?? DEFAULT_AGENT_LIMITS;
  const watchdog = new Watchdog(limits, target.name, options.signal);
  const meter = options.meter;
  const ctx = new CallContext(target.name, watchdog, options.allowPrivate, options.resolve ?? systemResolver, meter);
  const answer =
    target.kind === 'demo'
      ? demoAgent(ctx, event, options.demoWordDelayMs ?? DEMO_WORD_DELAY_MS)
      : target.kind === 'webhook'
        ? webhookAgent(ctx, target, event)
        : llmAgent(ctx, target, event);
  let length = 0;
  try {
    for (;;) {
      const step = await answer.next();
      if (step.done) {
        if (!step.value.accepted && length === 0) throw ctx.fail('agent_bad_answer', 'the agent finished without any reply text');
        meter?.end(step.value.accepted ? 'accepted' : 'completed');
        return step.value;
      }
      watchdog.arm('idle');
      const chunk = step.value;
      if (chunk.type === 'status') {
        yield { type: 'status', text: cut(chunk.text, MAX_AGENT_STATUS_LENGTH) };
        continue;
      }
      const room = limits.maxReplyChars - length;
      if (chunk.text.length > room) {
        const kept = cut(chunk.text, room);
        if (kept) yield { type: 'delta', text: kept };
        throw ctx.fail('agent_too_long', `the reply passed ${limits.maxReplyChars} characters; the first ${length + kept.length} were kept`);
      }
      length += chunk.text.length;
      if (chunk.text) {
        meter?.firstDelta();
        yield chunk;
      }
    }
  } catch (err) {
    const cause = watchdog.explain(err);
    meter?.end(cause instanceof AgentFailure ? cause.type : options.signal?.aborted ? 'aborted' : 'agent_unavailable');
    if (cause instanceof AgentFailure || options.signal?.aborted) throw cause;
    throw ctx.fail('agent_unavailable', `unexpected error: ${(cause as Error)?.message ?? String(cause)}`);
  } finally {
    watchdog.dispose();
    // Ended above unless the caller stopped early (return() on this generator): its turn was taken away.
    meter?.end('aborted');
    // Closes the agent's response when the caller stops early.
    await answer.return({ accepted: false });
  }
}
