// A streaming webhook agent in plain Node: checks the hub's Standard Webhooks signature, then streams its
// answer word by word. docs/agents.md explains the contract.
//   KATAVEN_WEBHOOK_SECRET=whsec_… node examples/agent-webhook/server.mjs   # then: kataven agents update agt_… --webhook-url http://…
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.KATAVEN_WEBHOOK_SECRET ?? '';
const wordDelayMs = Number(process.env.WORD_DELAY_MS ?? 50);
if (!secret.startsWith('whsec_')) throw new Error("Set KATAVEN_WEBHOOK_SECRET to the agent's webhook_secret (whsec_…)");

function verified(headers, body) {
  const id = headers['webhook-id'], timestamp = headers['webhook-timestamp'];
  if (!id || !(Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300)) return false; // replay window
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = Buffer.from('v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64'));
  return (headers['webhook-signature'] ?? '').split(' ').some((s) => Buffer.from(s).length === expected.length && timingSafeEqual(Buffer.from(s), expected));
}

const send = (res, event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks); // the raw bytes: the signature covers them exactly
  if (req.method !== 'POST' || !verified(req.headers, body)) return res.writeHead(401).end();
  const event = JSON.parse(body.toString('utf8'));
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  send(res, 'status', { text: 'Thinking…' });
  const answer = `You said "${event.message.text}" on ${event.context.origin}, after ${event.history.length} earlier messages.`;
  for (const word of answer.split(/(?<= )/)) {
    send(res, 'delta', { text: word });
    await new Promise((resolve) => setTimeout(resolve, wordDelayMs));
  }
  send(res, 'done', {});
  res.end();
}).listen(Number(process.env.PORT ?? 8788), '127.0.0.1', function () {
  console.log(`agent listening on http://127.0.0.1:${this.address().port}`);
});
