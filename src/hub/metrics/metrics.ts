/**
 * What the hub counts, for Prometheus (prom-client): one observer per process that the handshake route,
 * the agent call, the rate limiter, the error handler and retention call, each in one place.
 *
 * No label names a key, an origin, a conversation, an account or an address: labels hold only the few
 * values the hub defines itself (an error `type`, an agent kind, a limit's sentence), so the number of
 * series stays small and a scrape tells nobody who visited. Per-account figures belong in the Admin API.
 * A refusal type added anywhere (`error.type` of a HubError) becomes a label value without a change here.
 *
 * With metrics off (neither KATAVEN_METRICS_PORT nor KATAVEN_METRICS_TOKEN) the hub gets NO_METRICS:
 * every call returns at once, and the handshake's promise is passed through untouched.
 */
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentMeter } from '../agent-call/call.js';
import { HubError, isUnavailable } from '../errors.js';

/** The agents' kinds as metrics name them: a webhook answering JSON, a webhook that streams, a model, the demo. */
export type AgentKind = 'webhook' | 'stream' | 'openai' | 'demo';
export type Dependency = 'database' | 'redis';

export interface HubMetrics {
  /** The registry /metrics serves; null when metrics are off. */
  readonly registry: Registry | null;
  /** Times the handshake's answer and counts its outcome: `allowed`, or the refusal's `error.type`. */
  handshake<T>(answer: Promise<T>): Promise<T>;
  /** A meter for one agent call, started now. */
  agentCall(kind: Exclude<AgentKind, 'stream'>): AgentMeter;
  /** A rate limit refused a request; `limit` is the limit's own sentence ("messages from this address"). */
  rateLimited(limit: string): void;
  dependencyError(dependency: Dependency): void;
  /** Retention erased `count` rows of `record` (conversations, messages, idempotency_keys). */
  erased(record: string, count: number): void;
}

const NO_METER: AgentMeter = { streamed() {}, firstDelta() {}, end() {} };

export const NO_METRICS: HubMetrics = {
  registry: null,
  handshake: (answer) => answer,
  agentCall: () => NO_METER,
  rateLimited() {},
  dependencyError() {},
  erased() {},
};

/** The `type` a failed handshake answers with, as the error handler will send it. */
const refusalType = (err: unknown) => (err instanceof HubError ? err.type : isUnavailable(err) ? 'service_unavailable' : 'internal_error');

/** Seconds: a handshake takes a fraction of a millisecond in process; a database round trip, more. */
const HANDSHAKE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
/** Seconds: agents answer in hundreds of milliseconds to the whole answer's limit (120 s). */
const AGENT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

/** `openStreams` is read at each scrape (a gauge that costs the event streams nothing). */
export function promMetrics(openStreams: () => number): HubMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const handshakes = new Counter({ name: 'kataven_handshakes_total', help: 'Widget handshakes by outcome: allowed, or the refusal type', labelNames: ['outcome'], registers });
  const handshakeSeconds = new Histogram({ name: 'kataven_handshake_duration_seconds', help: 'Time to answer a widget handshake', buckets: HANDSHAKE_BUCKETS, registers });
  const replies = new Counter({
    name: 'kataven_agent_replies_total',
    help: 'Agent calls by agent kind and outcome: completed, accepted (202), aborted, or the failure type',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const firstDelta = new Histogram({ name: 'kataven_agent_first_delta_seconds', help: 'Time from asking an agent to its first reply text', labelNames: ['kind'], buckets: AGENT_BUCKETS, registers });
  const replySeconds = new Histogram({ name: 'kataven_agent_reply_seconds', help: 'Time from asking an agent to the end of its answer', labelNames: ['kind'], buckets: AGENT_BUCKETS, registers });
  new Gauge({
    name: 'kataven_event_streams_open',
    help: 'Conversation event streams open on this process',
    registers,
    collect() {
      this.set(openStreams());
    },
  });
  const limited = new Counter({ name: 'kataven_rate_limited_total', help: 'Requests refused by a rate limit, by limit', labelNames: ['limit'], registers });
  const dependencyErrors = new Counter({ name: 'kataven_dependency_errors_total', help: 'Errors reaching the database or Redis', labelNames: ['dependency'], registers });
  const erased = new Counter({ name: 'kataven_retention_erased_total', help: 'Rows erased by retention and expiry, by record', labelNames: ['record'], registers });
  for (const dependency of ['database', 'redis']) dependencyErrors.labels(dependency).inc(0);

  // The handshake's outcome children, made once each: labels() hashes its arguments on every call.
  const outcomes = new Map<string, () => void>();
  const countHandshake = (outcome: string, started: number) => {
    handshakeSeconds.observe((performance.now() - started) / 1000);
    let inc = outcomes.get(outcome);
    if (!inc) {
      const child = handshakes.labels(outcome);
      outcomes.set(outcome, (inc = () => child.inc()));
    }
    inc();
  };

  return {
    registry,
    handshake(answer) {
      const started = performance.now();
      return answer.then(
        (value) => {
          countHandshake('allowed', started);
          return value;
        },
        (err: unknown) => {
          countHandshake(refusalType(err), started);
          throw err;
        },
      );
    },
    agentCall(kind) {
      const started = performance.now();
      let label: AgentKind = kind;
      let ended = false;
      let deltaSeen = false;
      return {
        streamed: () => void (label = 'stream'),
        firstDelta() {
          if (deltaSeen) return;
          deltaSeen = true;
          firstDelta.labels(label).observe((performance.now() - started) / 1000);
        },
        end(outcome) {
          if (ended) return;
          ended = true;
          replies.labels(label, outcome).inc();
          replySeconds.labels(label).observe((performance.now() - started) / 1000);
        },
      };
    },
    rateLimited: (limit) => limited.labels(limit).inc(),
    dependencyError: (dependency) => dependencyErrors.labels(dependency).inc(),
    erased: (record, count) => erased.labels(record).inc(count),
  };
}
