/** Assembles a hub from its config: opens and migrates the store, then builds the app around it. */
import type { FastifyInstance } from 'fastify';
import { buildApp, hubLogger, type AppOptions } from './app.js';
import type { HubConfig } from './config.js';
import type { HubContext } from './context.js';
import { memoryBus } from './conversations/bus.js';
import { redisBus } from './conversations/redis-bus.js';
import { OpenStreams } from './conversations/streams.js';
import { startSweeping } from './conversations/sweep.js';
import { TurnRunner } from './conversations/turns.js';
import { dataDirWarnings } from './data-dir.js';
import { openStore, type Store } from './db/index.js';
import { failureLimiter, limiter, memoryRateLimitStore } from './rate-limit.js';
import { connectInvalidationBus, pingRedis, redisClient, redisRateLimitStore } from './redis.js';
import { resolveSessionSecret } from './session/secret.js';
import { sessionSigner } from './session/token.js';
import { KeyCache } from './visitor/key-cache.js';
import { usageRecorder } from './visitor/usage.js';
import { blockedOriginRecorder } from './blocked-origins/recorder.js';
import { loadBuiltAssets } from './widget/dist.js';

export interface Hub {
  app: FastifyInstance;
  store: Store;
  ctx: HubContext;
}

/** How often open event streams re-check their session and key: well within the revocation bound (2 s). */
const STREAM_CHECK_MS = 1_000;

/** `config` as loadConfig() validated it: the hub trusts it (the cross-field rules are checked there). */
export async function createHub(config: HubConfig, options: AppOptions = {}): Promise<Hub> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
  const secret = resolveSessionSecret(config.sessionSecret, config.dataDir);
  const redis = config.redisUrl ? redisClient(config.redisUrl) : null;
  const rateStore = redis ? redisRateLimitStore(redis) : memoryRateLimitStore();
  const dependencies: HubContext['dependencies'] = { database: () => store.ping() };
  if (redis) dependencies.redis = () => pingRedis(redis);
  const keys = new KeyCache(store.db, config.keyCacheTtlMs);
  const bus = redis && config.redisUrl ? await redisBus(config.redisUrl, redis) : memoryBus();
  // One logger for the app's requests and the hub's background work (turns, sweeps), made first so
  // the context is complete before the app exists.
  const log = hubLogger(config, options);
  const ctx: HubContext = {
    config,
    store,
    secret,
    keys,
    usage: usageRecorder(store.db),
    blocked: blockedOriginRecorder(store.db, log),
    turns: new TurnRunner(store, bus, log, {
      leaseMs: config.turnLeaseMs,
      agent: { firstByteMs: config.webhookTimeoutMs, allowPrivate: config.allowPrivateWebhooks },
    }),
    limit: limiter(rateStore),
    failures: failureLimiter(rateStore),
    sessions: sessionSigner(secret, config.sessionLifetimeS),
    bus,
    streams: new OpenStreams(keys, STREAM_CHECK_MS),
    assets: loadBuiltAssets(),
    dependencies,
  };
  bus.onResync(() => ctx.streams.resyncAll());
  const app = await buildApp(ctx, log);
  for (const warning of dataDirWarnings(config.dataDir)) log.warn(warning);
  const stopSweeping = startSweeping(store, bus, ctx.turns, log, Math.floor(config.turnLeaseMs / 3));
  const closeBus = redis && config.redisUrl ? await connectInvalidationBus(config.redisUrl, redis, ctx.keys) : null;
  // Open event streams never end by themselves: end them first, or close() would wait for them.
  app.addHook('preClose', async () => ctx.streams.endAll());
  app.addHook('onClose', async () => {
    await stopSweeping();
    // Running replies finish (each within the agent's timeout) while the store and the bus still work.
    await ctx.turns.close();
    await ctx.blocked.close();
    await bus.close();
    await closeBus?.();
    redis?.disconnect();
    await store.close();
  });
  return { app, store, ctx };
}
