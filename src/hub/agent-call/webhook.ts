/**
 * A webhook agent: POST the signed `message.created` event (Standard Webhooks headers), then take the
 * answer in whichever of the three forms of src/protocol/agent-webhook.ts the agent chose.
 */
import type { IncomingMessage } from 'node:http';
import { WEBHOOK_HEADERS, type MessageCreatedEvent } from '../../protocol/agent-webhook.js';
import { webhookSignature } from '../../client/webhook-signature.js';
import { newId } from '../ids.js';
import type { AgentCallResult, AgentChunk, WebhookTarget } from './call.js';
import type { CallContext } from './context.js';
import { expectSuccess, MAX_ANSWER_PART, mediaType, postToAgent, readWhole, streamEvents, USER_AGENT } from './post.js';

/** The three `webhook-*` headers for `body`, signed now. */
function signedHeaders(secret: string, body: string): Record<string, string> {
  const id = newId('evt');
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: webhookSignature(secret, id, timestamp, body),
  };
}

export async function* webhookAgent(ctx: CallContext, target: WebhookTarget, event: MessageCreatedEvent): AsyncGenerator<AgentChunk, AgentCallResult> {
  const body = JSON.stringify(event);
  const headers = {
    'content-type': 'application/json',
    accept: 'text/event-stream, application/json',
    'user-agent': USER_AGENT,
    ...signedHeaders(target.secret, body),
  };
  const res = await postToAgent(ctx, target.url, headers, body, 'webhook_url');
  ctx.watchdog.arm('idle');
  await expectSuccess(ctx, res, 'the webhook');
  if (res.statusCode === 202) {
    res.destroy();
    return { accepted: true };
  }
  const type = mediaType(res);
  if (type === 'application/json') {
    yield { type: 'delta', text: await jsonReply(ctx, res) };
  } else if (type === 'text/event-stream') {
    ctx.meter?.streamed();
    yield* streamedReply(ctx, res);
  } else {
    res.destroy();
    throw ctx.fail(
      'agent_bad_answer',
      `the webhook answered HTTP ${res.statusCode} with content-type ${type || '(none)'}; answer application/json {"reply": "…"}, text/event-stream, or 202`,
    );
  }
  return { accepted: false };
}

async function jsonReply(ctx: CallContext, res: IncomingMessage): Promise<string> {
  const text = await readWhole(ctx, res);
  if (text === undefined) throw ctx.fail('agent_too_long', `the webhook's JSON answer passed ${MAX_ANSWER_PART} bytes`);
  let reply: unknown;
  try {
    reply = (JSON.parse(text) as { reply?: unknown } | null)?.reply;
  } catch {
    throw ctx.fail('agent_bad_answer', 'the webhook answered content-type application/json with a body that is not JSON');
  }
  if (typeof reply !== 'string') throw ctx.fail('agent_bad_answer', 'the webhook\'s JSON answer has no "reply" string: answer {"reply": "…"}');
  return reply;
}

/** `{"text": "…"}`, the data of `delta` and `status` events; undefined for anything else. */
function textOf(data: string): string | undefined {
  try {
    const text = (JSON.parse(data) as { text?: unknown } | null)?.text;
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

async function* streamedReply(ctx: CallContext, res: IncomingMessage): AsyncGenerator<AgentChunk> {
  for await (const { event, data } of streamEvents(ctx, res)) {
    if (event === 'done') return;
    if (event === 'error') {
      let message = data;
      try {
        const parsed = (JSON.parse(data) as { message?: unknown } | null)?.message;
        if (typeof parsed === 'string') message = parsed;
      } catch {
        /* not JSON: the data itself */
      }
      throw ctx.fail('agent_unavailable', `the webhook sent event: error${message ? `: ${message.slice(0, 200)}` : ''}`);
    }
    if (event !== 'delta' && event !== 'status') continue; // Unknown events: later versions of the contract.
    const text = textOf(data);
    if (text === undefined) {
      throw ctx.fail('agent_bad_answer', `the webhook sent event: ${event} with data ${JSON.stringify(data.slice(0, 80))}; send data: {"text": "…"}`);
    }
    yield { type: event, text };
  }
  throw ctx.fail('agent_unavailable', 'the webhook\'s stream ended before event: done');
}
