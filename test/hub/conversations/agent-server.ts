/**
 * A real HTTP server standing in for a customer's agent (the edge of the world). Each request is
 * answered by the current mode: JSON `{reply}`, 202, an error status, or an event stream the test
 * writes to (delta / status / done), which stays open until the test ends it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AgentStream {
  body: any;
  delta(text: string): void;
  status(text: string): void;
  done(): void;
  /** Hangs up mid-stream. */
  cut(): void;
}

/** A request the test answers when it likes (`held` mode): with a status and an optional JSON body. */
export interface HeldRequest {
  body: any;
  answer(status: number, json?: unknown): void;
}

export type Mode = { kind: 'json'; reply: string; delayMs?: number } | { kind: 'accepted' } | { kind: 'status'; status: number } | { kind: 'stream' } | { kind: 'held' };

export async function agentServer(initial: Mode = { kind: 'json', reply: 'From the webhook' }) {
  let mode: Mode = initial;
  const requests: Array<{ body: any; raw: string; headers: IncomingMessage['headers'] }> = [];
  const streams: AgentStream[] = [];
  const streamWaiters: Array<{ match: (body: any) => boolean; take: (s: AgentStream) => void }> = [];
  const held: HeldRequest[] = [];
  const heldWaiters: Array<(h: HeldRequest) => void> = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw);
      requests.push({ body, raw, headers: req.headers });
      if (mode.kind === 'json') {
        const reply = mode.reply;
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply })), mode.delayMs ?? 0);
      } else if (mode.kind === 'accepted') res.writeHead(202).end();
      else if (mode.kind === 'status') res.writeHead(mode.status, { 'content-type': 'application/json' }).end('{}');
      else if (mode.kind === 'held') {
        open.add(res);
        res.on('close', () => open.delete(res));
        const h: HeldRequest = { body, answer: (status, json) => res.writeHead(status, { 'content-type': 'application/json' }).end(json === undefined ? '' : JSON.stringify(json)) };
        const waiter = heldWaiters.shift();
        if (waiter) waiter(h);
        else held.push(h);
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        open.add(res);
        res.on('close', () => open.delete(res));
        const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        const stream: AgentStream = {
          body,
          delta: (text) => send('delta', { text }),
          status: (text) => send('status', { text }),
          done: () => (send('done', {}), res.end()),
          cut: () => res.destroy(),
        };
        const i = streamWaiters.findIndex((w) => w.match(body));
        if (i >= 0) streamWaiters.splice(i, 1)[0]!.take(stream);
        else streams.push(stream);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    setMode(next: Mode) {
      mode = next;
    },
    /**
     * The next streaming request (the next one `match` accepts), once it has arrived. A test whose
     * conversation shares the server with turns an earlier test left queued (the hub calls the webhook
     * for them later, in whatever mode the server is in by then) passes `match`, or it may be handed
     * one of those.
     */
    nextStream(match: (body: any) => boolean = () => true): Promise<AgentStream> {
      const i = streams.findIndex((s) => match(s.body));
      return i >= 0 ? Promise.resolve(streams.splice(i, 1)[0]!) : new Promise((take) => streamWaiters.push({ match, take }));
    },
    /** The next request of `held` mode, once it has arrived. */
    nextHeld(): Promise<HeldRequest> {
      const ready = held.shift();
      return ready ? Promise.resolve(ready) : new Promise((r) => heldWaiters.push(r));
    },
    async stop() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
