/** Real agents for the agent-call tests: HTTP servers on 127.0.0.1 that answer however a test says. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { MessageCreatedEvent } from '../../../src/protocol/agent-webhook.js';
import { callAgent, type AgentCallOptions, type AgentCallResult, type AgentChunk, type AgentTarget } from '../../../src/hub/agent-call/call.js';
import { AgentFailure } from '../../../src/hub/agent-call/failure.js';
import type { AgentLimits } from '../../../src/hub/agent-call/limits.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface AgentServer {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A server whose handler gets each request with its whole body read. */
export async function agentServer(handler: (res: ServerResponse, req: ReceivedRequest) => void): Promise<AgentServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const received = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    requests.push(received);
    handler(res, received);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function messageEvent(text = 'Where is my order?'): MessageCreatedEvent {
  return {
    type: 'message.created',
    agent_id: 'agt_test',
    conversation_id: 'conv_test',
    widget_key_id: 'wk_test',
    message: { id: 'msg_3', role: 'visitor', text, created_at: '2025-01-01T00:00:02.000Z', status: 'completed', author_name: null },
    history: [
      { id: 'msg_1', role: 'visitor', text: 'Hi', created_at: '2025-01-01T00:00:00.000Z', status: 'completed', author_name: null },
      { id: 'msg_2', role: 'agent', text: 'Hello! How can I help?', created_at: '2025-01-01T00:00:01.000Z', status: 'completed', author_name: null },
    ],
    visitor: { verified: false },
    context: { origin: 'https://shop.example', reported: { page: '/orders' } },
  };
}

/** Generous limits for calls that should succeed on a slow, shared machine. */
export const ROOMY: AgentLimits = { firstByteMs: 15_000, idleMs: 15_000, totalMs: 30_000, maxReplyChars: 16_000 };

export interface Outcome {
  chunks: AgentChunk[];
  text: string;
  statuses: string[];
  result?: AgentCallResult;
  failure?: AgentFailure;
}

/** Runs a call to its end; an AgentFailure is returned in `failure`, anything else thrown. */
export async function run(target: AgentTarget, options: Partial<AgentCallOptions> = {}, event = messageEvent()): Promise<Outcome> {
  const answer = callAgent(target, event, { allowPrivate: true, limits: ROOMY, ...options });
  const chunks: AgentChunk[] = [];
  const outcome = (): Outcome => ({
    chunks,
    text: chunks.filter((c) => c.type === 'delta').map((c) => c.text).join(''),
    statuses: chunks.filter((c) => c.type === 'status').map((c) => c.text),
  });
  try {
    for (;;) {
      const step = await answer.next();
      if (step.done) return { ...outcome(), result: step.value };
      chunks.push(step.value);
    }
  } catch (err) {
    if (err instanceof AgentFailure) return { ...outcome(), failure: err };
    throw err;
  }
}

/** What a failure's visitor sentence must never carry (issue 10 item 5): codes, hosts, ports, library words. */
export function expectNothingInternal(message: string, server?: AgentServer): void {
  const leaks = [/\b[1-5]\d\d\b/, /127\.0\.0\.1/, /localhost/i, /HTTP/, /ECONN|fetch|socket/i];
  for (const leak of leaks) expect(message).not.toMatch(leak);
  if (server) expect(message).not.toContain(String(server.port));
}

export const webhook = (server: AgentServer, secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', path = '/hook'): AgentTarget => ({
  kind: 'webhook',
  name: 'Ada',
  url: server.url + path,
  secret,
});

/** An SSE event as an agent writes it. */
export const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
