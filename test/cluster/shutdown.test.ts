/**
 * Graceful shutdown: SIGTERM while a slow agent reply is in flight (a visitor message whose agent webhook
 * answers after a second). The hub stops taking new work, lets that reply finish and stores it, then
 * exits 0. Runs on SQLite: no external service needed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { call } from '../helpers/http.js';
import { handshakeAt } from '../helpers/widget.js';
import { createAccountViaCli, spawnHub, waitFor, type HubProcess } from './support.js';

const WEBHOOK_DELAY_MS = 1_000;

describe('graceful shutdown', () => {
  let dataDir: string;
  let hub: HubProcess;
  let webhook: Server;
  let webhookUrl: string;
  let received = 0;
  let answeredAt = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kataven-shutdown-'));
    webhook = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        setTimeout(() => {
          answeredAt = performance.now();
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply: 'Worth the wait' }));
        }, WEBHOOK_DELAY_MS);
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await hub?.stop();
    webhook?.closeAllConnections();
    await new Promise((r) => webhook?.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the reply in flight and stores it, then exits 0', async () => {
    // The agent is a server on 127.0.0.1: refused at save and at send without the private-network switch.
    const env = { KATAVEN_DATA_DIR: dataDir, KATAVEN_ALLOW_PRIVATE_WEBHOOKS: 'true' };
    const { secret_key: secretKey } = await createAccountViaCli(env, 'Shutdown');
    hub = await spawnHub('shutdown', env);

    const agent = await call(hub.url, 'POST', '/api/v1/agents', { key: secretKey, body: { name: 'Slow agent', webhook_url: webhookUrl } });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    const key = await call(hub.url, 'POST', '/api/v1/widget-keys', { key: secretKey, body: { name: 'k', domain_allowlist: ['shop.example'], agent_id: agent.body.id } });
    expect(key.status).toBe(201);
    const hs = await handshakeAt(hub.url, key.body.key, 'https://shop.example');
    expect(hs.status).toBe(200);
    const token = hs.body.session_token as string;
    const conversation = await call(hub.url, 'POST', WIDGET_API.conversations, { key: token, body: {} });
    expect(conversation.status).toBe(201);

    const posted = await call(hub.url, 'POST', WIDGET_API.messages(conversation.body.id), { key: token, body: { text: 'Anyone there?' } });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    await waitFor(async () => received === 1, 5_000, 10);
    hub.child.kill('SIGTERM');
    const exited = hub.exited.then((code) => ({ code, at: performance.now() }));

    // While draining, nothing new gets in: the listener is closed (or, on a kept-alive socket, 503).
    await waitFor(async () => /shutting down: draining in-flight requests/.test(hub.output()), 5_000, 10);
    const late = await call(hub.url, 'GET', '/healthz', { timeoutMs: 2_000 });
    expect([0, 503]).toContain(late.status);

    const exit = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), WEBHOOK_DELAY_MS + 5_000))]);
    expect(exit, `did not exit within 5 s of the agent's answer:\n${hub.output()}`).not.toBeNull();
    expect(exit!.code, hub.output()).toBe(0);
    // It waited for the agent's answer before exiting.
    expect(answeredAt).toBeGreaterThan(0);
    expect(exit!.at).toBeGreaterThanOrEqual(answeredAt - 50);
    expect(hub.output()).toMatch(/shutting down: draining in-flight requests/);

    // The reply was stored before the exit: the next process shows it, complete.
    hub = await spawnHub('after-shutdown', env);
    const again = await handshakeAt(hub.url, key.body.key, 'https://shop.example');
    const list = await call(hub.url, 'GET', WIDGET_API.messages(conversation.body.id), { key: again.body.session_token });
    expect(list.body.data.map((m: { role: string; text: string; status: string }) => [m.role, m.text, m.status])).toEqual([
      ['visitor', 'Anyone there?', 'completed'],
      ['agent', 'Worth the wait', 'completed'],
    ]);
  }, 30_000);
});
