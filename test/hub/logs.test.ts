import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createAccount } from '../../src/hub/accounts/repo.js';
import { loadConfig } from '../../src/hub/config.js';
import { hubLogger } from '../../src/hub/app.js';
import { createHub } from '../../src/hub/hub.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';

it('logs no secret key, widget key or session token, even at trace level', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kataven-logs-'));
  const lines: string[] = [];
  const logStream = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const loaded = loadConfig({ KATAVEN_DATA_DIR: dataDir, KATAVEN_LOG_LEVEL: 'trace' });
  if (!loaded.ok) throw new Error(loaded.errors.join());
  const hub = await createHub(loaded.config, { logStream });
  try {
    const { secret_key } = await createAccount(hub.store.db, 'Logs');
    const auth = { authorization: `Bearer ${secret_key}` };
    const created = await hub.app.inject({ method: 'POST', url: '/api/v1/widget-keys', headers: auth, payload: { name: 'k', domain_allowlist: ['a.example'] } });
    const key = created.json().key as string;
    const hs = await hub.app.inject({ method: 'POST', url: '/api/v1/widget/handshake', headers: { origin: 'https://a.example', 'content-type': 'text/plain' }, payload: JSON.stringify({ client_key: key }) });
    const token = hs.json().session_token as string;
    await hub.app.inject({ method: 'POST', url: WIDGET_API.conversations, headers: { authorization: `Bearer ${token}` }, payload: {} });
    await hub.app.inject({ method: 'POST', url: WIDGET_API.conversations, headers: { authorization: `Bearer ${token}x` }, payload: {} });
    await hub.app.inject({ method: 'GET', url: '/api/v1/widget-keys', headers: { authorization: `Bearer ${secret_key.slice(0, -1)}Z` } });
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of [secret_key, key, token]) expect(log).not.toContain(secret);
  } finally {
    await hub.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it("redacts an llm agent's api_key wherever a logged object carries it, a request body included", async () => {
  const lines: string[] = [];
  const logStream = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const loaded = loadConfig({ KATAVEN_DATA_DIR: tmpdir(), KATAVEN_LOG_LEVEL: 'debug' });
  if (!loaded.ok) throw new Error(loaded.errors.join());
  const log = hubLogger(loaded.config, { logStream });
  const apiKey = 'sk-test-Redact9Me4Now2';
  log.info({ api_key: apiKey }, 'top');
  log.info({ llm: { base_url: 'https://m.example/v1', api_key: apiKey } }, 'llm');
  log.info({ body: { name: 'Ada', llm: { api_key: apiKey } } }, 'body');
  log.info({ request: { body: { llm: { api_key: apiKey } } } }, 'request body');
  expect(lines).toHaveLength(4);
  expect(lines.join('')).not.toContain(apiKey);
  expect(lines.every((l) => l.includes('[redacted]'))).toBe(true);
});
