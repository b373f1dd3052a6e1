/**
 * How an agent call fails: a type and a sentence for the visitor (never an HTTP status, host, port or
 * library error: issue 10 item 5, those let a visitor map which internal ports answer), and the specifics
 * for the owner's log in `detail`.
 */
import type { AgentFailureType } from '../../protocol/conversation-events.js';

const VISITOR_MESSAGES: Record<AgentFailureType, (agent: string) => string> = {
  agent_timeout: (agent) => `${agent} took too long to answer. Your message was kept; please try again.`,
  agent_unavailable: (agent) => `${agent} could not answer right now. Your message was kept; please try again in a moment.`,
  agent_bad_answer: (agent) => `${agent} could not answer right now. Your message was kept; please try again later.`,
  agent_too_long: (agent) => `${agent}'s answer was too long and was cut short.`,
  hub_restarted: (agent) => `${agent}'s answer was interrupted. Your message was kept; please try again.`,
};

/** The sentence the visitor sees for a failure of this type. */
export const visitorMessage = (type: AgentFailureType, agentName: string): string => VISITOR_MESSAGES[type](agentName);

/** `message` is safe to show the visitor; `detail` is for the owner's log only. */
export class AgentFailure extends Error {
  override name = 'AgentFailure';
  constructor(
    readonly type: AgentFailureType,
    readonly detail: string,
    agentName: string,
  ) {
    super(visitorMessage(type, agentName));
  }
}
