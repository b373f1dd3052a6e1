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

const tooMany = (what: string, limit: number, resetMs: number) => {
  const retryAfter = Math.max(1, Math.ceil(resetMs / 1000));
  return new HubError(429, 'rate_limited', `Too many ${what}: at most ${limit} per minute. Retry in ${retryAfter} s`, {
    'retry-after': String(retryAfter),
  });
};

/** Told of each refusal with the limit's sentence (`what`): the metrics' label, never the bucket (it names addresses and keys). */
export type OnRefused = (what: string) => void;

/** Throws 429 `rate_limited` with Retry-After once `bucket` passes `limit` per minute; `limit` 0 disables. */
export function limiter(store: RateLimitStore, onRefused: OnRefused = () => {}, windowMs = 60_000): Limiter {
  return async (bucket, limit, what) => {
    if (limit === 0) return;
    const { count, resetMs } = await store.hit(bucket, windowMs);
    if (count > limit) {
      onRefused(what);
      throw tooMany(what, limit, resetMs);
    }
  };
}

/**
 * A limit that counts only failures (unknown widget keys, wrong secret keys), so that guessing costs the
 * guesser and nobody else. `fail` counts one, in the shared store; once a bucket is over its limit this
 * process remembers it until the window ends, and `check` refuses at once, before the database lookup a
 * guess would cost. Other processes learn it at their own next failure: each lets at most one more
 * lookup through per window.
 */
export interface FailureLimiter {
  /** Throws the bucket's 429 while this process knows it is over its limit. */
  check(bucket: string): void;
  /** Counts one failure; throws the 429 when that passes `limit` per minute (`limit` 0 disables). */
  fail(bucket: string, limit: number, what: string): Promise<void>;
}

const MAX_BLOCKED = 100_000;

export function failureLimiter(store: RateLimitStore, onRefused: OnRefused = () => {}, windowMs = 60_000): FailureLimiter {
  const blocked = new Map<string, { until: number; what: string; limit: number }>();
  return {
    check(bucket) {
      const b = blocked.get(bucket);
      if (!b) return;
      const left = b.until - Date.now();
      if (left > 0) {
        onRefused(b.what);
        throw tooMany(b.what, b.limit, left);
      }
      blocked.delete(bucket);
    },
    async fail(bucket, limit, what) {
      if (limit === 0) return;
      const { count, resetMs } = await store.hit(bucket, windowMs);
      if (count <= limit) return;
      // A flood from many addresses cannot grow the map past a bound: the oldest entries give way.
      if (blocked.size >= MAX_BLOCKED) blocked.delete(blocked.keys().next().value!);
      blocked.set(bucket, { until: Date.now() + resetMs, what, limit });
      onRefused(what);
      throw tooMany(what, limit, resetMs);
    },
  };
}
