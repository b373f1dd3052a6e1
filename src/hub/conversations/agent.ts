/**
 * The turn runner's one door to the agent, in the shape of the agent-call module (src/hub/agent-call/,
 * built in parallel): `callAgent(target, event, limits, signal)` yields the reply's chunks as they come,
 * returns `{ accepted }` (true: the agent answered 202 and will post later), and throws `AgentFailure`.
 *
 * Until that module is merged, this is a stand-in that speaks the three answer modes of
 * src/protocol/agent-webhook.ts plainly (JSON, event stream, 202; one total timeout; today's
 * signature from reply.ts), so that the relay's tests run against real webhook servers that keep
 * working unchanged once the real module (SSRF guard, Standard Webhooks signature, every timeout) is in.
 * The merge replaces this file with a re-export.
 */
import type { MessageCreatedEvent } from '../../protocol/agent-webhook.js';
import type { AgentFailureType } from '../../protocol/conversation-events.js';
import type { AgentTable } from '../db/schema.js';
import { SIGNATURE_HEADER, demoReply, sign } from './reply.js';

export type AgentChunk = { type: 'delta'; text: string } | { type: 'status'; text: string };

export interface AgentLimits {
  /** Longest wait for the whole answer, in ms. */
  totalMs: number;
  /** Most characters of a reply; past it the reply fails as `agent_too_long`, its text cut there. */
  maxChars: number;
}

export class AgentFailure extends Error {
  constructor(
    readonly type: AgentFailureType,
    /** For the visitor: says what to do, names nothing of the owner's network. */
    message: string,
    /** For the owner's log: what exactly went wrong. */
    readonly detail: string,
  ) {
    super(message);
  }
}

const fail = (type: AgentFailureType, detail: string) => new AgentFailure(type, 'The assistant could not answer right now.', detail);

export async function* callAgent(
  target: AgentTable,
  event: MessageCreatedEvent,
  limits: AgentLimits,
  signal: AbortSignal,
): AsyncGenerator<AgentChunk, { accepted: boolean }> {
  if (!target.webhook_url) {
    // Word by word, as a streaming agent would.
    for (const word of demoReply(target.name, event.message.text).match(/\S+\s*/g) ?? []) yield { type: 'delta', text: word };
    return { accepted: false };
  }
  const timeout = AbortSignal.timeout(limits.totalMs);
  const body = JSON.stringify(event);
  try {
    const res = await fetch(target.webhook_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream, application/json', 'user-agent': 'kataven-hub', [SIGNATURE_HEADER]: sign(target.webhook_secret, body) },
      body,
      redirect: 'error',
      signal: AbortSignal.any([signal, timeout]),
    });
    if (res.status === 202) return { accepted: true };
    if (!res.ok) throw fail('agent_unavailable', `webhook answered HTTP ${res.status}`);
    if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      const reply = ((await res.json().catch(() => null)) as { reply?: unknown } | null)?.reply;
      if (typeof reply !== 'string' || reply.trim() === '') throw fail('agent_bad_answer', 'webhook answer has no "reply" string');
      yield { type: 'delta', text: reply };
      return { accepted: false };
    }
    for await (const e of sseEvents(res.body!)) {
      const text = (JSON.parse(e.data || '{}') as { text?: unknown }).text;
      if (e.event === 'done') return { accepted: false };
      if (e.event === 'error') throw fail('agent_unavailable', 'webhook stream sent an error event');
      if ((e.event === 'delta' || e.event === 'status') && typeof text === 'string') yield { type: e.event, text };
    }
    throw fail('agent_bad_answer', 'webhook stream ended without a done event');
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) throw new AgentFailure('agent_timeout', 'The assistant took too long to answer.', `webhook did not finish within ${limits.totalMs} ms`);
    if (err instanceof AgentFailure) throw err;
    throw fail('agent_unavailable', `webhook unreachable or broken: ${(err as Error).message}`);
  }
}

/** `event:` / `data:` blocks of a text/event-stream body (WHATWG HTML §9.2.6, without `id`/`retry`). */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  const decoder = new TextDecoder();
  // Node's web streams are async iterable; the DOM typings of TypeScript do not say so.
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length) yield { event, data: data.join('\n') };
        event = 'message';
        data = [];
      } else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
  }
}
