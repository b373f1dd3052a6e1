import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createAccount } from '../../src/hub/accounts/repo.js';
import { loadConfig } from '../../src/hub/config.js';
import { createHub } from '../../src/hub/hub.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { agentServer } from './conversations/agent-server.js';

it("logs neither conversation ids nor the visitor's text, even at debug level, and the owner's detail of a failure", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kataven-logs-'));
  const lines: string[] = [];
  const logStream = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const loaded = loadConfig({ KATAVEN_DATA_DIR: dataDir, KATAVEN_LOG_LEVEL: 'debug', KATAVEN_ALLOW_PRIVATE_WEBHOOKS: 'true' });
  if (!loaded.ok) throw new Error(loaded.errors.join());
  const hub = await createHub(loaded.config, { logStream });
  const agent = await agentServer({ kind: 'status', status: 503 });
  try {
    const { secret_key } = await createAccount(hub.store.db, 'Logs');
    const admin = { authorization: `Bearer ${secret_key}` };
    const created = await hub.app.inject({ method: 'POST', url: '/api/v1/agents', headers: admin, payload: { name: 'Down', webhook_url: agent.url } });
    const key = await hub.app.inject({ method: 'POST', url: '/api/v1/widget-keys', headers: admin, payload: { name: 'k', domain_allowlist: ['a.example'], agent_id: created.json().id } });
    const hs = await hub.app.inject({ method: 'POST', url: '/api/v1/widget/handshake', headers: { origin: 'https://a.example', 'content-type': 'text/plain' }, payload: JSON.stringify({ client_key: key.json().key }) });
    const auth = { authorization: `Bearer ${hs.json().session_token}` };
    const conv = (await hub.app.inject({ method: 'POST', url: WIDGET_API.conversations, headers: auth, payload: {} })).json().id as string;
    const secretText = 'my card number is 4111 1111 1111 1111';
    expect((await hub.app.inject({ method: 'POST', url: WIDGET_API.messages(conv), headers: auth, payload: { text: secretText } })).statusCode).toBe(202);
    await expect.poll(() => lines.some((l) => l.includes('agent reply failed'))).toBe(true);
    await hub.app.inject({ method: 'GET', url: WIDGET_API.messages(conv), headers: auth });
    const log = lines.join('');
    expect(log).toContain('/conversations/[redacted]/messages');
    expect(log).not.toContain(conv);
    expect(log).not.toContain('4111');
    const failure = JSON.parse(lines.find((l) => l.includes('agent reply failed'))!);
    expect(failure).toMatchObject({ level: 40, failure: 'agent_unavailable', detail: expect.stringContaining('answered HTTP 503') });
  } finally {
    await hub.app.close();
    await agent.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
