/**
 * Slow clients are cut off, normal ones are not: headers and body must arrive within their timeouts
 * (real sockets, timeouts shortened through the config), an answer being streamed is never cut by them,
 * and one address holds at most KATAVEN_MAX_CONNECTIONS_PER_IP connections unless a proxy is trusted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/hub/config.js';
import { createHub, type Hub } from '../../src/hub/hub.js';
import { HANDSHAKE_PATH } from '../../src/protocol/handshake.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake } from '../helpers/widget.js';

const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;

interface Trickle {
  /** Resolves when the server closed the connection, with everything it answered. */
  closed: Promise<string>;
  stop(): void;
}

/** Connects, sends `head` at once, then one byte of `drip` every 300 ms until the server hangs up. */
function trickle(port: number, head: string, drip: string): Trickle {
  const socket = net.connect(port, '127.0.0.1');
  let answer = '';
  let i = 0;
  const timer = setInterval(() => socket.writable && socket.write(drip[i++ % drip.length]!), 300);
  socket.on('data', (d) => (answer += d));
  socket.on('error', () => {});
  socket.on('connect', () => socket.write(head));
  const closed = new Promise<string>((resolve) => socket.on('close', () => (clearInterval(timer), resolve(answer))));
  return { closed, stop: () => (clearInterval(timer), socket.destroy()) };
}

const portOf = (hub: TestHub) => (hub.app.server.address() as AddressInfo).port;

/** Until the server has seen every connection close (its count drops in the same event as the cap's). */
async function allClosed(hub: TestHub): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const open = await new Promise<number>((resolve) => hub.app.server.getConnections((_err, n) => resolve(n)));
    if (open === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the server still counts open connections');
}

describe('slow clients', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('sqlite', { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  });
  afterAll(() => hub.close());

  it('cuts off a client that sends its headers one byte at a time', async () => {
    const slow = trickle(portOf(hub), `POST ${HANDSHAKE_PATH} HTTP/1.1\r\nHost: hub\r\n`, 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    const key = await createKey(hub, ['shop.example']);
    // A normal client, meanwhile, is answered.
    expect((await handshake(hub, key.key, 'https://shop.example')).status).toBe(200);
    const answer = await slow.closed;
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('cuts off a client that sends its body one byte at a time', async () => {
    const head = `POST ${HANDSHAKE_PATH} HTTP/1.1\r\nHost: hub\r\nContent-Type: text/plain\r\nOrigin: https://shop.example\r\nContent-Length: 500\r\n\r\n`;
    const slow = trickle(portOf(hub), head, '{"client_key": "pk_live_');
    const key = await createKey(hub, ['shop.example']);
    expect((await handshake(hub, key.key, 'https://shop.example')).status).toBe(200);
    const answer = await slow.closed;
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });
});

describe('a streamed answer', () => {
  let hub: Hub;
  let url: string;
  let dir: string;
  const chunks = Math.ceil((REQUEST_TIMEOUT_MS * 2) / 200);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kataven-stream-'));
    const loaded = loadConfig({ KATAVEN_DATA_DIR: dir, KATAVEN_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), KATAVEN_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    hub = await createHub(loaded.config, { logger: false });
    // Like the conversation event stream: an answer written for twice the request timeout.
    hub.app.get('/test-stream', (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const timer = setInterval(() => {
        reply.raw.write(`data: ${n}\n\n`);
        if (++n === chunks) (clearInterval(timer), reply.raw.end());
      }, 200);
    });
    await hub.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(hub.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await hub.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('outlives the request timeout: the timeouts bound receiving the request, not answering it', async () => {
    const text = await (await fetch(`${url}/test-stream`)).text();
    expect(text.match(/^data: /gm)?.length).toBe(chunks);
  });
});

describe('connections per address', () => {
  const MAX = 3;
  let capped: TestHub;
  let proxied: TestHub;
  beforeAll(async () => {
    capped = await startTestHub('sqlite', { maxConnectionsPerIp: MAX });
    proxied = await startTestHub('sqlite', { maxConnectionsPerIp: MAX, trustProxy: '127.0.0.1' });
  });
  afterAll(() => Promise.all([capped.close(), proxied.close()]));

  /** Opens `n` sockets at once; resolves with those still open after a request on each was answered or refused. */
  async function openSockets(port: number, n: number): Promise<{ answered: number; sockets: net.Socket[] }> {
    const sockets: net.Socket[] = [];
    const answers = await Promise.all(
      Array.from({ length: n }, () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => s.write('GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n'));
          sockets.push(s);
          s.on('data', (d) => String(d).startsWith('HTTP/1.1 200') && resolve(true));
          s.on('error', () => resolve(false));
          s.on('close', () => resolve(false));
        }),
      ),
    );
    return { answered: answers.filter(Boolean).length, sockets };
  }

  it(`closes an address's connections over the cap, and takes new ones once it is under`, async () => {
    const first = await openSockets(portOf(capped), MAX + 2);
    expect(first.answered).toBe(MAX);
    for (const s of first.sockets) s.destroy();
    await allClosed(capped);
    const again = await openSockets(portOf(capped), MAX);
    expect(again.answered).toBe(MAX);
    for (const s of again.sockets) s.destroy();
  });

  it('is off behind a trusted proxy, where every connection is the proxy\'s', async () => {
    const open = await openSockets(portOf(proxied), MAX + 2);
    expect(open.answered).toBe(MAX + 2);
    for (const s of open.sockets) s.destroy();
  });
});
