/** A hub on a database that outlives it: stop it, start another on the same data (restart tests). */
import type { AddressInfo } from 'node:net';
import { loadConfig, type HubConfig } from '../../../src/hub/config.js';
import { createHub, type Hub } from '../../../src/hub/hub.js';
import type { TestDatabase } from '../../helpers/databases.js';
import { TEST_SECRET } from '../../helpers/hub.js';

export async function hubOn(db: TestDatabase, overrides: Partial<HubConfig> = {}): Promise<Hub & { url: string; stop(): Promise<void> }> {
  const loaded = loadConfig({ KATAVEN_DATA_DIR: db.dataDir, KATAVEN_SESSION_SECRET: TEST_SECRET, KATAVEN_LOG_LEVEL: 'silent', KATAVEN_ALLOW_PRIVATE_WEBHOOKS: 'true' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const hub = await createHub({ ...loaded.config, databaseUrl: db.databaseUrl, port: 0, sessionRateLimit: 10_000, ...overrides }, { logger: false });
  await hub.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    ...hub,
    url: `http://127.0.0.1:${(hub.app.server.address() as AddressInfo).port}`,
    async stop() {
      hub.app.server.closeAllConnections();
      await hub.app.close();
    },
  };
}
