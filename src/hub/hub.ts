/** Assembles a hub from its config: opens and migrates the store, then builds the app around it. */
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { buildApp, hubLogger, type AppOptions } from './app.js';
import type { HubConfig } from './config.js';
import type { HubContext } from './context.js';
import { memoryBus } from './conversations/bus.js';
import { redisBus } from './conversations/redis-bus.js';
import { OpenStreams } from './conversations/streams.js';
import { startSweeping } from './conversations/sweep.js';
import { TurnRunner } from './conversations/turns.js';
import { dataDirWarnings, markHubRunning } from './data-dir.js';
import { openStore, type Store } from './db/index.js';
import { listenForMetrics } from './metrics/exposition.js';
import { NO_METRICS, promMetrics } from './metrics/metrics.js';
import { failureLimiter, limiter, memoryRateLimitStore } from './rate-limit.js';
import { expireOnce, startRetention, type RetentionResult } from './retention/retention.js';
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
  /** The metrics listener (KATAVEN_METRICS_PORT), null without one. */
  metricsServer: Server | null;
  /** One retention pass at `now` (ms), as the hourly one does. */
  expireNow(now?: number): Promise<RetentionResult>;
}

/** How often open event streams re-check their session and key: well within the revocation bound (2 s). */
const STREAM_CHECK_MS = 1_000;

/** `config` as loadConfig() validated it: the hub trusts it (the cross-field rules are checked there). */
export async function createHub(config: HubConfig, options: AppOptions = {}): Promise<Hub> {
  // `kataven restore` must know whether a hub serves this directory's database.
  const unmark = config.databaseUrl ? null : markHubRunning(config.dataDir);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize }).catch((err: unknown) => {
    unmark?.();
    throw err;
  });
  const secret = resolveSessionSecret(config.sessionSecret, config.dataDir);
  const metricsOn = config.metricsPort !== null || config.metricsToken !== null;
  // The gauge reads the open streams at each scrape; ctx exists by then.
  const metrics = metricsOn ? promMetrics(() => ctx.streams.size) : NO_METRICS;
  const redisError = () => metrics.dependencyError('redis');
  const redis = config.redisUrl ? redisClient(config.redisUrl, redisError) : null;
  const rateStore = redis ? redisRateLimitStore(redis, redisError) : memoryRateLimitStore();
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
      agent: { firstByteMs: config.webhookTimeoutMs, allowPrivate: config.allowPrivateWebhooks, metrics },
    }),
    limit: limiter(rateStore, metrics.rateLimited),
    failures: failureLimiter(rateStore, metrics.rateLimited),
    sessions: sessionSigner(secret, config.sessionLifetimeS),
    bus,
    streams: new OpenStreams(keys, STREAM_CHECK_MS),
    assets: loadBuiltAssets(),
    dependencies,
    metrics,
  };
  bus.onResync(() => ctx.streams.resyncAll());
  const app = await buildApp(ctx, log);
  for (const warning of dataDirWarnings(config.dataDir)) log.warn(warning);
  const stopSweeping = startSweeping(store, bus, ctx.turns, log, Math.floor(config.turnLeaseMs / 3));
  const stopRetention = startRetention(store, config.retentionDays, metrics, log);
  const closeBus = redis && config.redisUrl ? await connectInvalidationBus(config.redisUrl, redis, ctx.keys) : null;
  let metricsServer: Server | null = null;
  // Open event streams never end by themselves: end them first, or close() would wait for them.
  app.addHook('preClose', async () => ctx.streams.endAll());
  app.addHook('onClose', async () => {
    metricsServer?.closeAllConnections();
    await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)));
    await stopSweeping();
    await stopRetention();
    // Running replies finish (each within the agent's timeout) while the store and the bus still work.
    await ctx.turns.close();
    await ctx.blocked.close();
    await bus.close();
    await closeBus?.();
    redis?.disconnect();
    await store.close();
    unmark?.();
  });
  if (metrics.registry && config.metricsPort !== null) metricsServer = await listenOrClose(app, metrics.registry, config.metricsHost, config.metricsPort);
  return { app, store, ctx, metricsServer, expireNow: (now) => expireOnce(store, config.retentionDays, metrics, now) };
}

/** The metrics listener; a port it cannot take closes the hub (its store, its timers) and fails the start. */
async function listenOrClose(app: FastifyInstance, registry: Registry, host: string, port: number): Promise<Server> {
  try {
    return await listenForMetrics(registry, host, port);
  } catch (err) {
    await app.close();
    throw err;
  }
}
