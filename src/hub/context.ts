/** What every route plugin of the hub is given: config, store and the shared per-process services. */
import type { HubConfig } from './config.js';
import type { ConversationBus } from './conversations/bus.js';
import type { OpenStreams } from './conversations/streams.js';
import type { TurnRunner } from './conversations/turns.js';
import type { Store } from './db/index.js';
import type { BuiltAssets } from './widget/dist.js';
import type { FailureLimiter, Limiter } from './rate-limit.js';
import type { SessionSigner } from './session/token.js';
import type { KeyCache } from './visitor/key-cache.js';
import type { UsageRecorder } from './visitor/usage.js';
import type { BlockedOriginRecorder } from './blocked-origins/recorder.js';

export interface HubContext {
  config: HubConfig;
  store: Store;
  keys: KeyCache;
  usage: UsageRecorder;
  /** Refused handshakes per key and origin, batched (blocked-origins/recorder.ts). */
  blocked: BlockedOriginRecorder;
  limit: Limiter;
  /** Limits that count only failures: unknown widget keys, failed Admin API authentications. */
  failures: FailureLimiter;
  sessions: SessionSigner;
  /** Conversation changes to every process's event streams (memory, or Redis in production mode). */
  bus: ConversationBus;
  turns: TurnRunner;
  streams: OpenStreams;
  /** Server secret (KATAVEN_SESSION_SECRET or the generated one): signs sessions, derives idempotent keys. */
  secret: string;
  /** The built loader and frame files; null when `npm run build` has not run. */
  assets: BuiltAssets | null;
  /** What /readyz checks: each resolves when that dependency answers. */
  dependencies: Record<string, () => Promise<void>>;
}
