/**
 * The agent's answer to a visitor message: from the agent's webhook when it has one (signed JSON POST with
 * a timeout), otherwise from the built-in demo agent.
 *
 * Signature: `X-Kataven-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(webhook_secret, "<t>.<raw body>")>`,
 * the scheme Stripe uses: the timestamp inside the MAC lets receivers refuse replays.
 */
import { createHmac } from 'node:crypto';
import type { ChatMessage } from '../../protocol/widget-api.js';
import { MAX_MESSAGE_LENGTH } from '../../protocol/widget-api.js';

interface WebhookAgent {
  id: string;
  name: string;
  webhook_url: string | null;
  webhook_secret: string;
}

interface ReplyContext {
  conversationId: string;
  widgetKeyId: string;
  origin: string;
  message: ChatMessage;
  history: ChatMessage[];
}

export class AgentUnavailable extends Error {}

export const SIGNATURE_HEADER = 'x-kataven-signature';

export function sign(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function demoReply(agentName: string, text: string): string {
  const quoted = text.length > 120 ? `${text.slice(0, 117)}…` : text;
  return `${agentName} here (demo agent). You said: "${quoted}". Give this agent a webhook_url to answer with your own service.`;
}

export async function agentReply(agent: WebhookAgent, ctx: ReplyContext, timeoutMs: number): Promise<string> {
  if (!agent.webhook_url) return demoReply(agent.name, ctx.message.text);
  const body = JSON.stringify({
    type: 'message.created',
    agent_id: agent.id,
    conversation_id: ctx.conversationId,
    widget_key_id: ctx.widgetKeyId,
    origin: ctx.origin,
    message: ctx.message,
    history: ctx.history,
  });
  let res: Response;
  try {
    res = await fetch(agent.webhook_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'kataven-hub', [SIGNATURE_HEADER]: sign(agent.webhook_secret, body) },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new AgentUnavailable(timedOut ? `webhook did not answer within ${timeoutMs} ms` : `webhook unreachable: ${(err as Error).message}`);
  }
  if (!res.ok) throw new AgentUnavailable(`webhook answered HTTP ${res.status}`);
  let reply: unknown;
  try {
    reply = ((await res.json()) as { reply?: unknown }).reply;
  } catch {
    throw new AgentUnavailable('webhook answered with a body that is not JSON');
  }
  if (typeof reply !== 'string' || reply.trim() === '') throw new AgentUnavailable('webhook answer has no "reply" string');
  return reply.slice(0, MAX_MESSAGE_LENGTH);
}
