/**
 * Hub configuration: KATAVEN_* environment variables, with CLI flags over them. Every bad value gets its
 * own message naming the variable or flag and what to write instead; the hub refuses to start on any.
 */
import { resolve } from 'node:path';
import { AGENT_TOTAL_TIMEOUT_MS } from '../protocol/agent-webhook.js';
import { HEARTBEAT_SECONDS } from '../protocol/conversation-events.js';
import { WIDGET_API_TIMEOUT_MS } from '../protocol/widget-api.js';
import { SESSION_TTL_SECONDS } from './session/token.js';

export interface HubConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  dbPoolSize: number;
  redisUrl: string | null;
  sessionSecret: string | null;
  publicUrl: string | null;
  trustProxy: boolean | string;
  handshakeRateLimit: number;
  adminRateLimit: number;
  sessionRateLimit: number;
  messageRateLimitIp: number;
  messageRateLimitKey: number;
  messageRateLimitConversation: number;
  conversationRateLimitIp: number;
  conversationRateLimitKey: number;
  turnLeaseMs: number;
  keyCacheTtlMs: number;
  webhookTimeoutMs: number;
  allowPrivateWebhooks: boolean;
  logLevel: string;
  /** Seconds a visitor session may be refreshed for, from its handshake; then only a new handshake continues. */
  sessionLifetimeS: number;
  /** Handshakes with keys that do not exist, per minute per client address. */
  handshakeMissRateLimit: number;
  /** Failed Admin API authentications per minute per client address. */
  adminAuthFailureLimit: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Open connections per client address; 0 turns the cap off (and it is off behind a trusted proxy). */
  maxConnectionsPerIp: number;
  /** A second listener that serves only GET /metrics, on `metricsHost`; null: none. */
  metricsPort: number | null;
  metricsHost: string;
  /** GET /metrics on the public port for `Authorization: Bearer <this>`; null: not on the public port. */
  metricsToken: string | null;
  /** Conversations idle this many days are erased (retention/); null keeps them. */
  retentionDays: number | null;
}

export type Flags = Partial<Record<string, string | boolean | undefined>>;

/**
 * One entry per setting: the environment variable, the CLI flag (if any) with the word its help shows for
 * the value, the parser and the default. `kataven serve --help` and the CLI's flag list are made from it.
 */
interface Setting<K extends keyof HubConfig> {
  key: K;
  env: string;
  flag?: string;
  value?: string;
  parse: (raw: string) => HubConfig[K] | { error: string };
  fallback: HubConfig[K];
}

const bool = (raw: string) => (raw === 'true' ? true : raw === 'false' ? false : { error: 'must be true or false' });
const int = (min: number, max: number) => (raw: string) => {
  const n = Number(raw);
  return /^\d+$/.test(raw.trim()) && n >= min && n <= max ? n : { error: `must be a whole number from ${min} to ${max}` };
};
const text = (raw: string) => raw;
const url = (schemes: string[], example: string) => (raw: string) => {
  try {
    const u = new URL(raw);
    if (schemes.includes(u.protocol)) return raw;
  } catch {
    /* reported below */
  }
  return { error: `must be a URL starting with ${schemes.map((s) => s + '//').join(' or ')}, e.g. ${example}` };
};
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The wait for an agent's first byte lies within the whole answer's limit (src/protocol/agent-webhook.ts). */
const webhookTimeout = (raw: string) => {
  const n = int(100, AGENT_TOTAL_TIMEOUT_MS)(raw);
  // Above the cap, say why there is one.
  if (typeof n !== 'number' && /^\d+$/.test(raw.trim()) && Number(raw) > AGENT_TOTAL_TIMEOUT_MS) {
    return { error: `must be at most ${AGENT_TOTAL_TIMEOUT_MS} ms: that is the longest a whole answer of an agent may take` };
  }
  return n;
};

const settings = [
  { key: 'port', env: 'KATAVEN_PORT', flag: 'port', value: 'PORT', parse: int(0, 65535), fallback: 8787 },
  { key: 'host', env: 'KATAVEN_HOST', flag: 'host', value: 'ADDRESS', parse: text, fallback: '127.0.0.1' },
  { key: 'dataDir', env: 'KATAVEN_DATA_DIR', flag: 'data-dir', value: 'DIR', parse: (raw: string) => resolve(raw), fallback: resolve('.kataven') },
  {
    key: 'databaseUrl', env: 'KATAVEN_DATABASE_URL', flag: 'database-url', value: 'URL',
    parse: url(['postgres:', 'postgresql:'], 'postgres://user@127.0.0.1:5432/kataven'), fallback: null,
  },
  { key: 'dbPoolSize', env: 'KATAVEN_DB_POOL_SIZE', parse: int(1, 500), fallback: 10 },
  { key: 'redisUrl', env: 'KATAVEN_REDIS_URL', flag: 'redis-url', value: 'URL', parse: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'), fallback: null },
  {
    key: 'sessionSecret', env: 'KATAVEN_SESSION_SECRET',
    parse: (raw: string) => (raw.length >= 32 ? raw : { error: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' }),
    fallback: null,
  },
  { key: 'publicUrl', env: 'KATAVEN_PUBLIC_URL', flag: 'public-url', value: 'URL', parse: url(['http:', 'https:'], 'https://hub.example.com'), fallback: null },
  {
    key: 'trustProxy', env: 'KATAVEN_TRUST_PROXY', flag: 'trust-proxy', value: 'false|true|ADDRS',
    // false (default) | true (every hop: only behind a proxy that overwrites X-Forwarded-For) | a
    // comma-separated list of proxy addresses/CIDRs (recommended), as Fastify's trustProxy takes.
    parse: (raw: string) => (raw === 'false' ? false : raw === 'true' ? true : raw),
    fallback: false,
  },
  { key: 'handshakeRateLimit', env: 'KATAVEN_HANDSHAKE_RATE_LIMIT', flag: 'handshake-rate-limit', value: 'N', parse: int(0, 1_000_000), fallback: 120 },
  { key: 'adminRateLimit', env: 'KATAVEN_ADMIN_RATE_LIMIT', parse: int(0, 1_000_000), fallback: 600 },
  { key: 'sessionRateLimit', env: 'KATAVEN_SESSION_RATE_LIMIT', parse: int(0, 1_000_000), fallback: 60 },
  // Per minute, on what costs an agent call or a stored row, whatever session asks (issue 10: a renewed
  // session must not renew the budget). 0 disables one. Across processes through Redis.
  { key: 'messageRateLimitIp', env: 'KATAVEN_MESSAGE_RATE_LIMIT_IP', parse: int(0, 1_000_000), fallback: 30 },
  { key: 'messageRateLimitKey', env: 'KATAVEN_MESSAGE_RATE_LIMIT_KEY', parse: int(0, 1_000_000), fallback: 1_200 },
  { key: 'messageRateLimitConversation', env: 'KATAVEN_MESSAGE_RATE_LIMIT_CONVERSATION', parse: int(0, 1_000_000), fallback: 10 },
  { key: 'conversationRateLimitIp', env: 'KATAVEN_CONVERSATION_RATE_LIMIT_IP', parse: int(0, 1_000_000), fallback: 10 },
  { key: 'conversationRateLimitKey', env: 'KATAVEN_CONVERSATION_RATE_LIMIT_KEY', parse: int(0, 1_000_000), fallback: 300 },
  // How long a stopped process's turn keeps its conversation before the sweep ends the reply
  // (conversations/sweep.ts: the bound is 4/3 of it).
  { key: 'turnLeaseMs', env: 'KATAVEN_TURN_LEASE_MS', parse: int(300, 600_000), fallback: 30_000 },
  { key: 'keyCacheTtlMs', env: 'KATAVEN_KEY_CACHE_TTL_MS', parse: int(0, 3_600_000), fallback: 30_000 },
  { key: 'webhookTimeoutMs', env: 'KATAVEN_WEBHOOK_TIMEOUT_MS', parse: webhookTimeout, fallback: 10_000 },
  // Agent webhook and model URLs may reach loopback, link-local and private addresses only with this
  // (src/hub/agent-call/url-guard.ts): an agent on the hub's own machine or network needs it.
  { key: 'allowPrivateWebhooks', env: 'KATAVEN_ALLOW_PRIVATE_WEBHOOKS', flag: 'allow-private-webhooks', value: 'true|false', parse: bool, fallback: false },
  { key: 'sessionLifetimeS', env: 'KATAVEN_SESSION_LIFETIME_S', parse: int(SESSION_TTL_SECONDS, 30 * 86_400), fallback: 86_400 },
  { key: 'handshakeMissRateLimit', env: 'KATAVEN_HANDSHAKE_MISS_RATE_LIMIT', parse: int(0, 1_000_000), fallback: 30 },
  { key: 'adminAuthFailureLimit', env: 'KATAVEN_ADMIN_AUTH_FAILURE_LIMIT', parse: int(0, 1_000_000), fallback: 30 },
  { key: 'headersTimeoutMs', env: 'KATAVEN_HEADERS_TIMEOUT_MS', parse: int(100, 600_000), fallback: 10_000 },
  { key: 'requestTimeoutMs', env: 'KATAVEN_REQUEST_TIMEOUT_MS', parse: int(100, 3_600_000), fallback: 30_000 },
  // An idle cut must never end what is still alive: a call the frame still waits for (WIDGET_API_TIMEOUT_MS)
  // or an event stream between two heartbeats.
  { key: 'idleTimeoutMs', env: 'KATAVEN_IDLE_TIMEOUT_MS', parse: int(Math.max(WIDGET_API_TIMEOUT_MS, HEARTBEAT_SECONDS * 1000 + 5_000), 3_600_000), fallback: 60_000 },
  { key: 'keepAliveTimeoutMs', env: 'KATAVEN_KEEP_ALIVE_TIMEOUT_MS', parse: int(100, 3_600_000), fallback: 72_000 },
  { key: 'maxConnectionsPerIp', env: 'KATAVEN_MAX_CONNECTIONS_PER_IP', parse: int(0, 1_000_000), fallback: 200 },
  // Metrics are off unless one of these two says where they may be read (docs/deployment.md): the
  // figures (refusal rates, agent failures) are the operator's, not the public's.
  { key: 'metricsPort', env: 'KATAVEN_METRICS_PORT', flag: 'metrics-port', value: 'PORT', parse: int(0, 65535), fallback: null },
  { key: 'metricsHost', env: 'KATAVEN_METRICS_HOST', parse: text, fallback: '127.0.0.1' },
  {
    key: 'metricsToken', env: 'KATAVEN_METRICS_TOKEN',
    parse: (raw: string) => (raw.length >= 32 ? raw : { error: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' }),
    fallback: null,
  },
  { key: 'retentionDays', env: 'KATAVEN_RETENTION_DAYS', flag: 'retention-days', value: 'DAYS', parse: int(1, 36_500), fallback: null },
  {
    key: 'logLevel', env: 'KATAVEN_LOG_LEVEL', flag: 'log-level', value: 'LEVEL',
    parse: (raw: string) => (LOG_LEVELS.includes(raw) ? raw : { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
    fallback: 'info',
  },
] as Setting<keyof HubConfig>[];

type ConfigResult = { ok: true; config: HubConfig } | { ok: false; errors: string[] };

/**
 * `serving: false` is for commands that only open the store (`kataven accounts create`): they sign no
 * sessions, so the rules for a serving hub do not hold them up.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: Flags = {}, { serving = true } = {}): ConfigResult {
  const config = {} as Record<keyof HubConfig, unknown>;
  const errors: string[] = [];
  /** Where each setting came from, as a person would write it: `--database-url` or `KATAVEN_DATABASE_URL`. */
  const source = {} as Record<keyof HubConfig, string>;
  for (const s of settings) {
    const fromFlag = s.flag === undefined ? undefined : flags[s.flag];
    const raw = fromFlag !== undefined ? String(fromFlag) : env[s.env];
    source[s.key] = fromFlag !== undefined ? `--${s.flag}` : s.env;
    if (raw === undefined || raw === '') {
      config[s.key] = s.fallback;
      continue;
    }
    const value = s.parse(raw);
    if (value !== null && typeof value === 'object' && 'error' in value) {
      errors.push(`${source[s.key]}=${JSON.stringify(raw)}: ${value.error}`);
    } else config[s.key] = value;
  }
  // Across settings, once each value is known to be well formed.
  if (serving && config.databaseUrl && config.sessionSecret === null) {
    // Several hubs on one PostgreSQL must sign and verify each other's session tokens.
    errors.push(
      `${source.sessionSecret} is required when ${source.databaseUrl} is set, so every hub process signs sessions with the same secret (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  // Node refuses a server whose headers may take longer than the whole request (http.createServer).
  const [headersMs, requestMs] = [config.headersTimeoutMs as number, config.requestTimeoutMs as number];
  if (headersMs > requestMs) {
    errors.push(`${source.headersTimeoutMs}=${headersMs} must not exceed ${source.requestTimeoutMs}=${requestMs}: the headers are part of the request`);
  }
  if (config.metricsPort !== null && config.metricsPort !== 0 && config.metricsPort === config.port) {
    errors.push(`${source.metricsPort}=${config.metricsPort} is the hub's own port (${source.port}): give metrics a port of their own, or set KATAVEN_METRICS_TOKEN to serve them on the public port`);
  }
  return errors.length ? { ok: false, errors } : { ok: true, config: config as unknown as HubConfig };
}

/** The settings table without its parsers: for the CLI's flag list, `kataven serve --help`, and the README's check. */
export const HUB_SETTINGS: ReadonlyArray<{ env: string; flag?: string; value: string; fallback: unknown }> = settings.map((s) => ({
  env: s.env,
  ...(s.flag === undefined ? {} : { flag: s.flag }),
  value: s.value ?? 'VALUE',
  fallback: s.fallback,
}));
