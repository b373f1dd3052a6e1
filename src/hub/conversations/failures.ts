/**
 * Failed replies: the line the visitor reads for each failure type (the owner's detail is in the log
 * only, turns.ts), and the change event that announces one. Live and replayed events say the same.
 */
import type { AgentFailureType } from '../../protocol/conversation-events.js';
import { visitorMessage } from '../agent-call/failure.js';
import type { ChangeEvent } from './bus.js';
import type { StoredMessage } from './repo.js';

/** What the visitor reads for each failure (one table: agent-call/failure.ts); the owner's detail is in the hub's log (turns.ts). */
export const failureMessage = (type: AgentFailureType): string => visitorMessage(type, 'The assistant');

export const failedChange = (stored: StoredMessage, type: AgentFailureType): ChangeEvent => ({
  kind: 'change',
  seq: stored.seq,
  event: 'message.failed',
  data: { message_id: stored.message.id, error: { type, message: failureMessage(type) }, message: stored.message },
});
