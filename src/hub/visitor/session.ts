/** A visitor's session: what the handshake and the session refresh both issue. */
import type { SessionSigner, SessionVisitor } from '../session/token.js';
import type { CachedKey } from './key-cache.js';

/**
 * A session for a visitor of `origin` on `key`'s site; `sst` continues the session that started then (a
 * refresh); `vis`, a verified visitor's (identify, and the refreshes of its session).
 */
export function issueSession(sessions: SessionSigner, key: CachedKey, origin: string, sst?: number, vis?: SessionVisitor) {
  const claims = { kid: key.id, acc: key.accountId, agt: key.agent.id, org: origin, ...(vis ? { vis } : {}) };
  // Stryker disable next-line ConditionalExpression: as `false`, `{ sst: undefined }` is a new session too (sign() reads it as absent); `true` goes with it, which session-lifetime.test.ts kills
  return sessions.sign({ ...claims, ...(sst === undefined ? {} : { sst }) });
}
