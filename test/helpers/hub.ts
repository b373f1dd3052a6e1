/** A real hub for tests: temp SQLite file or a fresh PostgreSQL database, listening on a random port. */
import type { AddressInfo } from 'node:net';
import { createAccount, type NewAccount } from '../../src/hub/accounts/repo.js';
import { loadConfig, type HubConfig } from '../../src/hub/config.js';
import { createHub, type Hub } from '../../src/hub/hub.js';
import { testDatabase, type TestDialect } from './databases.js';

export interface TestHub extends Hub {
  url: string;
  account: NewAccount;
  /** fetch against the hub with the account's secret key. */
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; key?: string | null }): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

export const TEST_SECRET = 'test-session-secret-0123456789abcdef0123456789';

export async function startTestHub(dialect: TestDialect = 'sqlite', overrides: Partial<HubConfig> = {}): Promise<TestHub> {
  const db = await testDatabase(dialect);
  const loaded = loadConfig({ KATAVEN_DATA_DIR: db.dataDir, KATAVEN_SESSION_SECRET: TEST_SECRET, KATAVEN_LOG_LEVEL: 'silent' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const config: HubConfig = { ...loaded.config, databaseUrl: db.databaseUrl, port: 0, ...overrides };
  const hub = await createHub(config, { logger: false });
  await hub.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(hub.app.server.address() as AddressInfo).port}`;
  const account = await createAccount(hub.store.db, 'Test account');
  return {
    ...hub,
    url,
    account,
    async api(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const key = init.key === undefined ? account.secret_key : init.key;
      if (key) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method: init.method ?? 'GET', headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      hub.app.server.closeAllConnections();
      await hub.app.close();
      await db.drop();
    },
  };
}
