/**
 * Retention: what the hub keeps only for a while.
 *
 * - Conversations (with KATAVEN_RETENTION_DAYS = N): a conversation whose last activity is more than N
 *   days old is erased with its messages. Last activity is the newest of the conversation's creation and
 *   its messages' creation times (a visitor's message, an agent's or a person's reply); reading a
 *   conversation is no activity. Erasing goes through admin-conversations/erase.ts, as DELETE does.
 * - Idempotency records: an Idempotency-Key replays for 24 h (widget-keys/create.ts); records older than
 *   that are deleted, whatever KATAVEN_RETENTION_DAYS says.
 *
 * It runs off the request path: at start and then every RETENTION_EVERY_MS, in batches of BATCH
 * conversations, one transaction each, yielding to the event loop between batches so requests are
 * served in between. Several processes may run it at once: each batch erases what is still there.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { eraseConversations, type Erased } from '../admin-conversations/erase.js';
import type { Store } from '../db/index.js';
import { every } from '../every.js';
import type { HubMetrics } from '../metrics/metrics.js';
import { IDEMPOTENCY_WINDOW_MS } from '../widget-keys/create.js';
import { deleteIdempotencyRecordsBefore } from '../widget-keys/repo.js';

export const RETENTION_EVERY_MS = 60 * 60 * 1000;
const BATCH = 100;
const DAY_MS = 86_400_000;

export interface RetentionResult extends Erased {
  idempotency_keys: number;
}

/** One pass: erases everything past its time at `now` (ms); counts it in the metrics. */
export async function expireOnce(store: Store, retentionDays: number | null, metrics: HubMetrics, now = Date.now()): Promise<RetentionResult> {
  const result: RetentionResult = { conversations: 0, messages: 0, idempotency_keys: 0 };
  result.idempotency_keys = await deleteIdempotencyRecordsBefore(store.db, new Date(now - IDEMPOTENCY_WINDOW_MS).toISOString());
  metrics.erased('idempotency_keys', result.idempotency_keys);
  if (retentionDays === null) return result;
  const cutoff = new Date(now - retentionDays * DAY_MS).toISOString();
  for (;;) {
    const batch = await eraseConversations(store, (q) =>
      q
        .where('conversations.created_at', '<', cutoff)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('messages').select('messages.id').whereRef('messages.conversation_id', '=', 'conversations.id').where('messages.created_at', '>=', cutoff))),
        )
        .orderBy('conversations.created_at')
        .limit(BATCH),
    );
    result.conversations += batch.conversations;
    result.messages += batch.messages;
    metrics.erased('conversations', batch.conversations);
    metrics.erased('messages', batch.messages);
    if (batch.conversations < BATCH) return result;
    await nextTurn();
  }
}

/** Runs a pass now and every `everyMs`; returns the stop function, which waits for a running pass. */
export function startRetention(store: Store, retentionDays: number | null, metrics: HubMetrics, log: FastifyBaseLogger, everyMs = RETENTION_EVERY_MS): () => Promise<unknown> {
  return every(everyMs, () =>
    expireOnce(store, retentionDays, metrics).then(
      (r) => (r.conversations || r.idempotency_keys) && log.info({ erased: r }, 'retention: erased what was past its time'),
      (err) => log.warn({ err }, 'retention pass failed; retrying at the next one'),
    ),
  );
}
