/**
 * Restart recovery. A hub process that stops mid-reply (crash, kill, lost host) leaves its reply
 * `streaming` and its turn lease unreleased. Every process sweeps at start and then every `everyMs`:
 * replies whose turn lease has ended are stored as failed (`hub_restarted`) with the text the bus still
 * holds, and their conversations get a new turn for what was never answered.
 *
 * Bound: a reply is renewed every lease/3 while its process runs, so it is taken for orphaned at most
 * `leaseMs` after its process stopped, and swept at most `everyMs` later: lease + sweep interval
 * (30 s + 10 s by default). A graceful stop lets its replies finish first (turns.ts close()).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../db/index.js';
import { every } from '../every.js';
import type { ConversationBus } from './bus.js';
import { failedChange } from './failures.js';
import { expiredTurns, finishMessage, orphanedReplies } from './repo.js';
import type { TurnRunner } from './turns.js';

export async function sweepOnce(store: Store, bus: ConversationBus, turns: TurnRunner): Promise<number> {
  // The expired turns are read before the orphans and kicked after them. Read after, a lease that ended
  // between the two reads would be kicked with its orphan still unseen; the new turn's lease then hides
  // that orphan from every sweep until the turn ends, and the visitor sees it streaming all that time.
  const expired = await expiredTurns(store.db);
  const orphans = await orphanedReplies(store.db);
  for (const o of orphans) {
    const text = (await bus.replyText(o.id)) ?? '';
    const stored = await finishMessage(store.db, o.conversation_id, o.id, { text, status: 'failed', failure_type: 'hub_restarted' });
    if (stored) await bus.publish(o.conversation_id, failedChange(stored, 'hub_restarted'));
    await bus.dropReply(o.id);
  }
  for (const id of expired) turns.kick(id);
  return orphans.length;
}

/** Sweeps now and every `everyMs`; returns the stop function. */
export function startSweeping(store: Store, bus: ConversationBus, turns: TurnRunner, log: FastifyBaseLogger, everyMs: number): () => Promise<unknown> {
  return every(everyMs, () =>
    sweepOnce(store, bus, turns).then(
      (n) => n && log.warn({ replies: n }, 'replies left streaming by a stopped hub process marked failed'),
      (err) => log.warn({ err }, 'restart sweep failed; retrying at the next one'),
    ),
  );
}
