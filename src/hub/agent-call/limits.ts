/**
 * The limits one agent call lives within, and the watchdog that enforces them by aborting the call: a bad
 * agent (silent, trickling, endless) costs the hub one timer and one socket for a bounded time.
 */
import { AGENT_TOTAL_TIMEOUT_MS, MAX_AGENT_REPLY_LENGTH } from '../../protocol/agent-webhook.js';
import { AgentFailure } from './failure.js';

export interface AgentLimits {
  /** From sending the request to the agent's response headers. */
  firstByteMs: number;
  /** Longest silence once it answers: between headers, deltas and status lines (comments do not count). */
  idleMs: number;
  /** The whole call, however busy the agent keeps the stream. */
  totalMs: number;
  /** Most characters of reply text; past it the call fails `agent_too_long`, the text before it kept. */
  maxReplyChars: number;
}

export const DEFAULT_AGENT_LIMITS: AgentLimits = {
  firstByteMs: 10_000,
  idleMs: 30_000,
  totalMs: AGENT_TOTAL_TIMEOUT_MS,
  maxReplyChars: MAX_AGENT_REPLY_LENGTH,
};

type Phase = 'first_byte' | 'idle';

/** One per call: `signal` aborts with an `AgentFailure` when a limit passes, or with the caller's own reason. */
export class Watchdog {
  readonly #controller = new AbortController();
  readonly #limits: AgentLimits;
  readonly #agentName: string;
  readonly #outer: AbortSignal | undefined;
  readonly #onOuterAbort = () => this.#controller.abort(this.#outer!.reason);
  #phase: NodeJS.Timeout | undefined;
  readonly #total: NodeJS.Timeout;

  constructor(limits: AgentLimits, agentName: string, outer?: AbortSignal) {
    this.#limits = limits;
    this.#agentName = agentName;
    this.#outer = outer;
    if (outer?.aborted) this.#onOuterAbort();
    outer?.addEventListener('abort', this.#onOuterAbort, { once: true });
    this.#total = this.#timer(limits.totalMs, `the agent had not finished after ${limits.totalMs} ms (total limit)`);
    this.arm('first_byte');
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** (Re)starts the phase timer: `first_byte` until headers, then `idle` after each sign of progress. */
  arm(phase: Phase): void {
    clearTimeout(this.#phase);
    const ms = phase === 'first_byte' ? this.#limits.firstByteMs : this.#limits.idleMs;
    this.#phase = this.#timer(
      ms,
      phase === 'first_byte' ? `no response headers within ${ms} ms (first-byte limit)` : `the agent went silent for ${ms} ms mid-answer (idle limit)`,
    );
  }

  /** What a call that threw `err` ended in: the limit or caller abort behind it, if any, else `err`. */
  explain(err: unknown): unknown {
    return this.signal.aborted ? this.signal.reason : err;
  }

  dispose(): void {
    clearTimeout(this.#phase);
    clearTimeout(this.#total);
    this.#outer?.removeEventListener('abort', this.#onOuterAbort);
  }

  #timer(ms: number, detail: string): NodeJS.Timeout {
    // unref: a pending agent call must not keep a stopping hub alive; shutdown aborts it through `outer`.
    return setTimeout(() => this.#controller.abort(new AgentFailure('agent_timeout', detail, this.#agentName)), ms).unref();
  }
}
