/** A visitor's session: what the handshake and the session refresh both issue. */
import type { SessionSigner } from '../session/token.js';
import type { CachedKey } from './key-cache.js';

/** A session for a visitor of `origin` on `key`'s site; `sst` continues the session that started then (a refresh). */
export function issueSession(sessions: SessionSigner, key: CachedKey, origin: string, sst?: number) {
  // Stryker disable next-line ConditionalExpression: as `false`, `{ sst: undefined }` is a new session too (sign() reads it as absent); `true` goes with it, which session-lifetime.test.ts kills
  return sessions.sign({ kid: key.id, acc: key.accountId, agt: key.agent.id, org: origin, ...(sst === undefined ? {} : { sst }) });
}
