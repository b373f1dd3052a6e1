/**
 * Failed replies: the line the visitor reads for each failure type (the owner's detail is in the log
 * only, turns.ts), and the change event that announces one. Live and replayed events say the same.
 */
import type { AgentFailureType } from '../../protocol/conversation-events.js';
import type { ChangeEvent } from './bus.js';
import type { StoredMessage } from './repo.js';

/** What the visitor reads for each failure; the owner's detail is in the hub's log (turns.ts). */
export function failureMessage(type: string): string {
  switch (type) {
    case 'agent_timeout':
      return 'The assistant took too long to answer. Please try again.';
    case 'agent_too_long':
      return 'The answer was too long and was cut short.';
    case 'hub_restarted':
      return 'The answer was interrupted. Please send your message again.';
    default:
      return 'The assistant could not answer right now. Please try again in a moment.';
  }
}

export const failedChange = (stored: StoredMessage, type: AgentFailureType): ChangeEvent => ({
  kind: 'change',
  seq: stored.seq,
  event: 'message.failed',
  data: { message_id: stored.message.id, error: { type, message: failureMessage(type) }, message: stored.message },
});
