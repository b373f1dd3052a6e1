/** Assembles a hub from its config: opens and migrates the store, then builds the app around it. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { HubConfig } from './config.js';
import type { HubContext } from './context.js';
import { dataDirWarnings } from './data-dir.js';
import { openStore, type Store } from './db/index.js';
import { failureLimiter, limiter, memoryRateLimitStore } from './rate-limit.js';
import { connectInvalidationBus, pingRedis, redisClient, redisRateLimitStore } from './redis.js';
import { resolveSessionSecret } from './session/secret.js';
import { sessionSigner } from './session/token.js';
import { KeyCache } from './visitor/key-cache.js';
import { usageRecorder } from './visitor/usage.js';
import { loadBuiltAssets } from './widget/dist.js';

export interface Hub {
  app: FastifyInstance;
  store: Store;
  ctx: HubContext;
}

/** `config` as loadConfig() validated it: the hub trusts it (the cross-field rules are checked there). */
export async function createHub(config: HubConfig, options: AppOptions = {}): Promise<Hub> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
  const secret = resolveSessionSecret(config.sessionSecret, config.dataDir);
  const redis = config.redisUrl ? redisClient(config.redisUrl) : null;
  const rateStore = redis ? redisRateLimitStore(redis) : memoryRateLimitStore();
  const dependencies: HubContext['dependencies'] = { database: () => store.ping() };
  if (redis) dependencies.redis = () => pingRedis(redis);
  const ctx: HubContext = {
    config,
    store,
    secret,
    keys: new KeyCache(store.db, config.keyCacheTtlMs),
    usage: usageRecorder(store.db),
    limit: limiter(rateStore),
    failures: failureLimiter(rateStore),
    sessions: sessionSigner(secret, config.sessionLifetimeS),
    assets: loadBuiltAssets(),
    dependencies,
  };
  const app = await buildApp(ctx, { logger: options.logger, logStream: options.logStream });
  for (const warning of dataDirWarnings(config.dataDir)) app.log.warn(warning);
  const closeBus = redis && config.redisUrl ? await connectInvalidationBus(config.redisUrl, redis, ctx.keys) : null;
  app.addHook('onClose', async () => {
    await closeBus?.();
    redis?.disconnect();
    await store.close();
  });
  return { app, store, ctx };
}
