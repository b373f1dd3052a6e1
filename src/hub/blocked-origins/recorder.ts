/**
 * Refused handshakes per key and origin (issue 14), recorded without a write per refusal and without
 * letting a flood of forged origins cost memory, storage or handshake time:
 *
 * - the first refusal of a key and origin is written at once (in the background: the handshake never
 *   waits), later ones are counted in memory and written at most once a minute per key and origin, as
 *   `last_used_at` is (visitor/usage.ts);
 * - the map of pending sightings holds at most MAX_PENDING entries, and at most MAX_BLOCKED_ORIGINS per
 *   key (the table keeps no more); past either, a new origin is not recorded until the next flush frees room;
 * - the table keeps each key's MAX_BLOCKED_ORIGINS most recent origins and drops any row not seen for
 *   BLOCKED_ORIGIN_TTL_MS (30 days);
 * - what is stored: the origin as the browser sent it (canonical when it parses, else the raw header cut
 *   to MAX_ORIGIN_CHARS printable characters), the refusal's type, a count and two times. Never the
 *   visitor's address, the page's path or a user agent.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { MAX_BLOCKED_ORIGINS } from '../../protocol/api.js';
import type { OriginResult } from '../allowlist/origin.js';
import type { Database } from '../db/schema.js';
import { expireBlockedOrigins, trimBlockedOrigins, upsertBlockedOrigin } from './repo.js';

export const BLOCKED_ORIGIN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const WRITE_INTERVAL_MS = 60_000;
const EXPIRY_INTERVAL_MS = 60 * 60 * 1000;
const MAX_PENDING = 10_000;
/** As long as the longest origin the handshake parses (allowlist/origin.ts). */
const MAX_ORIGIN_CHARS = 300;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/g;

export interface BlockedOriginRecorder {
  /** Synchronous and cheap: the handshake calls it on every refusal of a known key. */
  record(keyId: string, type: string, origin: OriginResult, header: string | string[] | undefined): void;
  /** Writes the counts that are due, forgets quiet origins, expires old rows; a timer calls it. */
  flush(): Promise<void>;
  /** Writes every pending count, due or not (shutdown). */
  close(): Promise<void>;
}

interface Sighting {
  keyId: string;
  origin: string;
  type: string;
  /** Refusals not yet written, and the first and last of them. */
  count: number;
  first: number;
  last: number;
  writtenAt: number;
}

interface RecorderOptions {
  now?: () => number;
  intervalMs?: number;
  maxPending?: number;
}

/** The origin as seen: canonical when it parses; else the header's printable characters, bounded. */
export function seenOrigin(result: OriginResult, header: string | string[] | undefined): string {
  if (result.ok) return result.origin.origin;
  const raw = Array.isArray(header) ? header.join(', ') : (header ?? '');
  return raw.slice(0, MAX_ORIGIN_CHARS).replace(NOT_PRINTABLE_ASCII, '?');
}

export function blockedOriginRecorder(db: Kysely<Database>, log: FastifyBaseLogger, options: RecorderOptions = {}): BlockedOriginRecorder {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? WRITE_INTERVAL_MS;
  const maxPending = options.maxPending ?? MAX_PENDING;
  const pending = new Map<string, Sighting>();
  const perKey = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  let expiredAt = -Infinity;

  const track = (p: Promise<void>) => {
    const done = p.catch((err) => log.warn({ err }, 'could not record a blocked origin')).finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const write = (s: Sighting, at: number, isNew: boolean) => {
    const row = {
      widget_key_id: s.keyId, origin: s.origin, type: s.type, seen_count: s.count,
      first_seen_at: new Date(s.first).toISOString(), last_seen_at: new Date(s.last).toISOString(),
    };
    s.count = 0;
    s.writtenAt = at;
    // A new origin may push the key over its cap; a known one only moves within it.
    track(upsertBlockedOrigin(db, row).then(() => (isNew ? trimBlockedOrigins(db, s.keyId) : undefined)));
  };

  const forget = (id: string, s: Sighting) => {
    pending.delete(id);
    const left = (perKey.get(s.keyId) ?? 1) - 1;
    if (left > 0) perKey.set(s.keyId, left);
    else perKey.delete(s.keyId);
  };

  const settled = async () => {
    while (inFlight.size) await Promise.all(inFlight);
  };

  const flush = async () => {
    const at = now();
    for (const [id, s] of pending) {
      if (at - s.writtenAt < interval) continue;
      if (s.count > 0) write(s, at, false);
      else forget(id, s);
    }
    if (at - expiredAt >= EXPIRY_INTERVAL_MS) {
      expiredAt = at;
      track(expireBlockedOrigins(db, new Date(at - BLOCKED_ORIGIN_TTL_MS).toISOString()));
    }
    await settled();
  };

  const timer = setInterval(() => void flush(), Math.max(1_000, interval / 4));
  timer.unref();

  return {
    record(keyId, type, result, header) {
      const origin = seenOrigin(result, header);
      const id = `${keyId}\n${origin}`;
      const at = now();
      const known = pending.get(id);
      if (known) {
        known.type = type;
        if (known.count === 0) known.first = at;
        known.count++;
        known.last = at;
        if (at - known.writtenAt >= interval) write(known, at, false);
        return;
      }
      if (pending.size >= maxPending || (perKey.get(keyId) ?? 0) >= MAX_BLOCKED_ORIGINS) return;
      const s: Sighting = { keyId, origin, type, count: 1, first: at, last: at, writtenAt: at };
      pending.set(id, s);
      perKey.set(keyId, (perKey.get(keyId) ?? 0) + 1);
      write(s, at, true);
    },
    flush,
    async close() {
      clearInterval(timer);
      const at = now();
      for (const s of pending.values()) if (s.count > 0) write(s, at, false);
      await settled();
    },
  };
}
