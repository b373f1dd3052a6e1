/**
 * Redis, when KATAVEN_REDIS_URL is set: shared rate-limit windows (the limits hold across every hub
 * process) and the key-invalidation bus (pub/sub). Commands fail fast when Redis is away (no offline
 * queue, short timeouts), so requests answer 503 instead of hanging; ioredis reconnects by itself.
 *
 * Why Redis pub/sub and not PostgreSQL LISTEN/NOTIFY: the Redis connection is needed anyway for shared
 * rate limits, and LISTEN needs a dedicated session-mode connection per process, which poolers in
 * transaction mode (PgBouncer) do not give. Pub/sub drops messages while a subscriber is disconnected,
 * so on every (re)subscribe the process clears its whole key cache: nothing missed can stay cached.
 */
import { Redis } from 'ioredis';
import { HubError } from './errors.js';
import type { RateLimitStore } from './rate-limit.js';
import type { KeyCache } from './visitor/key-cache.js';

const INVALIDATION_CHANNEL = 'kataven:key-invalidations';
const ALL = '*';

/** `onError` hears every connection error (one per reconnection attempt while Redis is away): the metrics count them. */
export function redisClient(url: string, onError: () => void = () => {}): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1_000,
    connectTimeout: 2_000,
    // Reconnect quickly and forever: the hub recovers by itself when Redis is back.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
    lazyConnect: false,
  });
  // Without a listener ioredis would print every connection error; /readyz and 503s report them instead.
  client.on('error', onError);
  return client;
}

const unavailable = () => new HubError(503, 'service_unavailable', 'The hub cannot reach Redis right now; retry in a few seconds');

export function redisRateLimitStore(client: Redis, onError: () => void = () => {}): RateLimitStore {
  return {
    async hit(bucket, windowMs) {
      const now = Date.now();
      const window = Math.floor(now / windowMs);
      const key = `kataven:rl:${bucket}:${window}`;
      try {
        const results = await client.multi().incr(key).pexpire(key, windowMs * 2).exec();
        const count = Number(results?.[0]?.[1]);
        if (!Number.isFinite(count)) throw new Error('no INCR result');
        return { count, resetMs: (window + 1) * windowMs - now };
      } catch {
        onError();
        throw unavailable();
      }
    },
  };
}

/** Connects this process's key cache to every other process's, through one channel. */
export async function connectInvalidationBus(url: string, publisher: Redis, keys: KeyCache): Promise<() => Promise<void>> {
  const subscriber = redisClient(url);
  // Until the subscription is confirmed, and whenever it is lost, nothing may be cached: an invalidation
  // sent meanwhile would never reach this process, and a cached key could outlive its revocation.
  keys.setCaching(false);
  subscriber.on('message', (_channel: string, message: string) => keys.drop(message === ALL ? null : message.split(',')));
  subscriber.on('close', () => keys.setCaching(false));
  // Fires on the first connection and after every reconnection.
  subscriber.on('ready', () => {
    subscriber.subscribe(INVALIDATION_CHANNEL).then(
      () => keys.setCaching(true),
      () => keys.setCaching(false),
    );
  });
  // Key hashes are hex: one message carries several, comma-separated (an agent's keys change together).
  keys.onInvalidate((hashes) => {
    publisher.publish(INVALIDATION_CHANNEL, hashes?.join(',') ?? ALL).catch(() => {
      // Redis away: the other processes clear their caches when their subscribers reconnect.
    });
  });
  return async () => {
    subscriber.disconnect();
  };
}

export async function pingRedis(client: Redis): Promise<void> {
  if ((await client.ping()) !== 'PONG') throw new Error('unexpected PING answer');
}
