/**
 * Fixed-window rate limits, one mechanism for every limit of the hub (handshake per key and IP, Admin API
 * per account, widget sessions). In memory for one process; the Redis store shares windows across hubs.
 */
import { HubError } from './errors.js';

export interface RateLimitStore {
  /** Counts one hit in `bucket`'s current window; returns the count so far and ms until the window ends. */
  hit(bucket: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
}

export function memoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let nextSweep = 0;
  return {
    async hit(bucket, windowMs) {
      const now = Date.now();
      if (now >= nextSweep) {
        // Drop ended windows now and then so the map cannot grow without bound.
        for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
        nextSweep = now + windowMs;
      }
      let w = windows.get(bucket);
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowMs };
        windows.set(bucket, w);
      }
      w.count++;
      return { count: w.count, resetMs: w.resetAt - now };
    },
  };
}

export type Limiter = (bucket: string, limit: number, what: string) => Promise<void>;

/** Throws 429 `rate_limited` with Retry-After once `bucket` passes `limit` per minute; `limit` 0 disables. */
export function limiter(store: RateLimitStore, windowMs = 60_000): Limiter {
  return async (bucket, limit, what) => {
    if (limit === 0) return;
    const { count, resetMs } = await store.hit(bucket, windowMs);
    if (count > limit) {
      const retryAfter = Math.max(1, Math.ceil(resetMs / 1000));
      throw new HubError(429, 'rate_limited', `Too many ${what}: at most ${limit} per minute. Retry in ${retryAfter} s`, {
        'retry-after': String(retryAfter),
      });
    }
  };
}
