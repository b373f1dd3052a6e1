/** Assembles a hub from its config: opens and migrates the store, then builds the app around it. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { HubConfig } from './config.js';
import type { HubContext } from './context.js';
import { memoryBus } from './conversations/bus.js';
import { redisBus } from './conversations/redis-bus.js';
import { OpenStreams } from './conversations/streams.js';
import { startSweeping } from './conversations/sweep.js';
import { TurnRunner } from './conversations/turns.js';
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

/** How often open event streams re-check their session and key: well within the revocation bound (2 s). */
const STREAM_CHECK_MS = 1_000;

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
  const keys = new KeyCache(store.db, config.keyCacheTtlMs);
  const bus = redis && config.redisUrl ? await redisBus(config.redisUrl, redis) : memoryBus();
  const ctx = {
    config,
    store,
    secret,
    keys,
    limit: limiter(rateStore),
    sessions: sessionSigner(secret),
    bus,
    streams: new OpenStreams(keys, STREAM_CHECK_MS),
    assets: loadBuiltAssets(),
    dependencies,
  } as HubContext;
  bus.onResync(() => ctx.streams.resyncAll());
  const app = await buildApp(ctx, { logger: options.logger, logStream: options.logStream });
  ctx.usage = usageRecorder(store.db, app.log);
  ctx.turns = new TurnRunner(store, bus, app.log, { leaseMs: config.turnLeaseMs, agentTimeoutMs: config.webhookTimeoutMs });
  const stopSweeping = startSweeping(store, bus, ctx.turns, app.log, Math.floor(config.turnLeaseMs / 3));
  const closeBus = redis && config.redisUrl ? await connectInvalidationBus(config.redisUrl, redis, ctx.keys) : null;
  // Open event streams never end by themselves: end them first, or close() would wait for them.
  app.addHook('preClose', async () => ctx.streams.endAll());
  app.addHook('onClose', async () => {
    await stopSweeping();
    // Running replies finish (each within the agent's timeout) while the store and the bus still work.
    await ctx.turns.close();
    await bus.close();
    await closeBus?.();
    redis?.disconnect();
    await store.close();
  });
  return { app, store, ctx };
}
