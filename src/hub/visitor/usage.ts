/**
 * `last_used_at` without a write per handshake: at most one write per key per minute. The first use is
 * written before the handshake answers, because it decides whether a delete is hard or soft; later ones
 * are written in the background.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { CachedKey } from './key-cache.js';
import { markUsed } from './repo.js';

const USAGE_WRITE_INTERVAL_MS = 60_000;
/** Keys whose last write time is kept; past it the map starts over, which costs one early write per key. */
const MAX_TRACKED_KEYS = 100_000;

export interface UsageRecorder {
  /** `log` is the request's: a background write that fails is reported with the request that caused it. */
  record(key: CachedKey, log: FastifyBaseLogger): Promise<void>;
}

export function usageRecorder(db: Kysely<Database>, maxTracked = MAX_TRACKED_KEYS): UsageRecorder {
  const lastWrite = new Map<string, number>();
  return {
    async record(key, log) {
      const now = Date.now();
      if (key.lastUsedAt !== null && now - (lastWrite.get(key.id) ?? 0) < USAGE_WRITE_INTERVAL_MS) return;
      lastWrite.set(key.id, now);
      if (lastWrite.size > maxTracked) lastWrite.clear();
      const at = new Date(now).toISOString();
      if (key.lastUsedAt === null) {
        await markUsed(db, key.id, at);
        key.lastUsedAt = at;
        return;
      }
      key.lastUsedAt = at;
      markUsed(db, key.id, at).catch((err) => log.warn({ err, key_id: key.id }, 'could not record last_used_at'));
    },
  };
}
