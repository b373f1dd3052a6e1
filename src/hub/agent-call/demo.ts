/**
 * The built-in demo agent, for agents with neither a webhook nor an llm: a short canned answer streamed
 * word by word after a status line, so a newcomer sees streaming in `kataven demo` at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageCreatedEvent } from '../../protocol/agent-webhook.js';
import type { AgentCallResult, AgentChunk } from './call.js';
import type { CallContext } from './context.js';

export const DEMO_WORD_DELAY_MS = 40;

export function demoAnswer(agentName: string, text: string): string {
  const quoted = text.length > 120 ? `${text.slice(0, 117)}…` : text;
  return (
    `${agentName} here (demo agent). You said: "${quoted}". ` +
    'Give this agent a webhook_url, or an llm such as a local Ollama, to answer with your own service.'
  );
}

export async function* demoAgent(ctx: CallContext, event: MessageCreatedEvent, wordDelayMs: number): AsyncGenerator<AgentChunk, AgentCallResult> {
  yield { type: 'status', text: 'Writing a demo answer…' };
  // Words keep the space after them, so the deltas join back into the answer exactly.
  for (const word of demoAnswer(ctx.agentName, event.message.text).split(/(?<= )/)) {
    await sleep(wordDelayMs, undefined, { signal: ctx.watchdog.signal });
    yield { type: 'delta', text: word };
  }
  return { accepted: false };
}
