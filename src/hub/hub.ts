/** Assembles a hub from its config: opens and migrates the store, then builds the app around it. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { HubConfig } from './config.js';
import type { HubContext } from './context.js';
import { openStore, type Store } from './db/index.js';
import { KeyCache } from './handshake/key-cache.js';
import { usageRecorder } from './handshake/usage.js';
import { limiter, memoryRateLimitStore, type RateLimitStore } from './rate-limit.js';
import { resolveSessionSecret } from './session/secret.js';
import { sessionSigner } from './session/token.js';
import { loadBuiltAssets } from './widget/dist.js';

export interface Hub {
  app: FastifyInstance;
  store: Store;
  ctx: HubContext;
}

export interface HubOptions {
  logger?: boolean;
  /** An already open store (tests share one); otherwise opened from the config. */
  store?: Store;
  rateLimitStore?: RateLimitStore;
}

export async function createHub(config: HubConfig, options: HubOptions = {}): Promise<Hub> {
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize }));
  const secret = resolveSessionSecret(config.sessionSecret, config.dataDir);
  const rateStore = options.rateLimitStore ?? memoryRateLimitStore();
  const ctx = {
    config,
    store,
    secret,
    keys: new KeyCache(store.db, config.keyCacheTtlMs),
    limit: limiter(rateStore),
    sessions: sessionSigner(secret),
    assets: loadBuiltAssets(),
  } as HubContext;
  const app = await buildApp(ctx, { logger: options.logger });
  ctx.usage = usageRecorder(store.db, app.log);
  app.addHook('onClose', async () => {
    await rateStore.close?.();
    if (!options.store) await store.close();
  });
  return { app, store, ctx };
}
