/** What every kind of agent gets for one call: its limits' watchdog, the network rule, and how to fail. */
import type { AgentFailureType } from '../../protocol/conversation-events.js';
import type { AgentMeter } from './call.js';
import { AgentFailure } from './failure.js';
import type { Watchdog } from './limits.js';
import type { Resolver } from './url-guard.js';

export class CallContext {
  constructor(
    readonly agentName: string,
    readonly watchdog: Watchdog,
    readonly allowPrivate: boolean,
    readonly resolve: Resolver,
    readonly meter?: AgentMeter,
  ) {}

  /** An `AgentFailure` to throw: the visitor's sentence from the type, `detail` for the owner's log. */
  fail(type: AgentFailureType, detail: string): AgentFailure {
    return new AgentFailure(type, detail, this.agentName);
  }
}
