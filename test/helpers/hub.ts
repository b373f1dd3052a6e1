/** A real hub for tests: temp SQLite file or a fresh PostgreSQL database, listening on a random port. */
import type { AddressInfo } from 'node:net';
import { createAccount, type NewAccount } from '../../src/hub/accounts/repo.js';
import type { AppOptions } from '../../src/hub/app.js';
import { loadConfig, type HubConfig } from '../../src/hub/config.js';
import { createHub, type Hub } from '../../src/hub/hub.js';
import { testDatabase, type TestDialect } from './databases.js';
import { call, type Answer } from './http.js';

export interface TestHub extends Hub {
  url: string;
  account: NewAccount;
  /** A call to the hub with the account's secret key (`key: null` for none). */
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; key?: string | null }): Promise<Answer>;
  close(): Promise<void>;
}

export const TEST_SECRET = 'test-session-secret-0123456789abcdef0123456789';

/** `app` is for a test that reads the log: `{ logStream }` (give `logLevel` in `overrides` too). */
export async function startTestHub(dialect: TestDialect = 'sqlite', overrides: Partial<HubConfig> = {}, app: AppOptions = { logger: false }): Promise<TestHub> {
  const db = await testDatabase(dialect);
  // The tests' agents are servers on 127.0.0.1: the network guard's own tests turn it back on.
  const loaded = loadConfig({ KATAVEN_DATA_DIR: db.dataDir, KATAVEN_SESSION_SECRET: TEST_SECRET, KATAVEN_LOG_LEVEL: 'silent', KATAVEN_ALLOW_PRIVATE_WEBHOOKS: 'true' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const config: HubConfig = { ...loaded.config, databaseUrl: db.databaseUrl, port: 0, ...overrides };
  const hub = await createHub(config, app);
  await hub.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(hub.app.server.address() as AddressInfo).port}`;
  const account = await createAccount(hub.store.db, 'Test account');
  return {
    ...hub,
    url,
    account,
    api: (path, init = {}) =>
      call(url, init.method ?? 'GET', path, { body: init.body, headers: init.headers, key: init.key === undefined ? account.secret_key : init.key }),
    async close() {
      hub.app.server.closeAllConnections();
      await hub.app.close();
      await db.drop();
    },
  };
}
