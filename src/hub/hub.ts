/** Assembles a hub from its config: opens and migrates the store, then builds the app around it. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { HubConfig } from './config.js';
import type { HubContext } from './context.js';
import { openStore, type Store } from './db/index.js';
import { KeyCache } from './handshake/key-cache.js';
import { usageRecorder } from './handshake/usage.js';
import { limiter, memoryRateLimitStore } from './rate-limit.js';
import { connectInvalidationBus, pingRedis, redisClient, redisRateLimitStore } from './redis.js';
import { resolveSessionSecret } from './session/secret.js';
import { sessionSigner } from './session/token.js';
import { loadBuiltAssets } from './widget/dist.js';

export interface Hub {
  app: FastifyInstance;
  store: Store;
  ctx: HubContext;
}

export type HubOptions = AppOptions;

export async function createHub(config: HubConfig, options: HubOptions = {}): Promise<Hub> {
  if (config.databaseUrl && !config.sessionSecret) {
    // Several hubs on one PostgreSQL must sign and verify each other's session tokens.
    throw new Error('KATAVEN_SESSION_SECRET is required when KATAVEN_DATABASE_URL is set, so every hub process signs sessions with the same secret (e.g. `openssl rand -hex 32`)');
  }
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
  const secret = resolveSessionSecret(config.sessionSecret, config.dataDir);
  const redis = config.redisUrl ? redisClient(config.redisUrl) : null;
  const rateStore = redis ? redisRateLimitStore(redis) : memoryRateLimitStore();
  const dependencies: HubContext['dependencies'] = { database: () => store.ping() };
  if (redis) dependencies.redis = () => pingRedis(redis);
  const ctx = {
    config,
    store,
    secret,
    keys: new KeyCache(store.db, config.keyCacheTtlMs),
    limit: limiter(rateStore),
    sessions: sessionSigner(secret),
    assets: loadBuiltAssets(),
    dependencies,
  } as HubContext;
  const app = await buildApp(ctx, { logger: options.logger, logStream: options.logStream });
  ctx.usage = usageRecorder(store.db, app.log);
  const closeBus = redis && config.redisUrl ? await connectInvalidationBus(config.redisUrl, redis, ctx.keys) : null;
  app.addHook('onClose', async () => {
    await closeBus?.();
    redis?.disconnect();
    await store.close();
  });
  return { app, store, ctx };
}
