/**
 * Today's webhook signature and the built-in demo agent, used by agent.ts until the agent-call module
 * (Standard Webhooks signatures, its own demo agent) replaces both.
 *
 * Signature: `X-Kataven-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(webhook_secret, "<t>.<raw body>")>`,
 * the scheme Stripe uses: the timestamp inside the MAC lets receivers refuse replays.
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-kataven-signature';

export function sign(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function demoReply(agentName: string, text: string): string {
  const quoted = text.length > 120 ? `${text.slice(0, 117)}…` : text;
  return `${agentName} here (demo agent). You said: "${quoted}". Give this agent a webhook_url to answer with your own service.`;
}
