/**
 * The Kataven client: options, authentication, and the one request loop every method goes through
 * (timeout per attempt, retries with backoff, typed errors). Resources only say which route and what data.
 */
import { randomUUID } from 'node:crypto';
import { Agents } from './agents.js';
import { Conversations } from './conversations.js';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from './errors.js';
import { retryDelayMs, shouldRetry } from './retry.js';
import type { Route } from './routes.js';
import { SecretKeys } from './secret-keys.js';
import { WidgetKeys } from './widget-keys.js';
import { identity } from './identity.js';
import { webhooks } from './webhooks.js';

export const VERSION = '0.1.0';

export interface ClientOptions {
  /** Secret key (`sk_live_…`). Default: `process.env.KATAVEN_API_KEY`. */
  apiKey?: string;
  /** The hub's URL, e.g. `https://hub.example.com`. Default: `process.env.KATAVEN_BASE_URL`. */
  baseUrl?: string;
  /** Milliseconds per attempt before `APIConnectionTimeoutError`. Default 60000. */
  timeout?: number;
  /** Retries after the first attempt, for connection errors, 408, 409, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** A `fetch` implementation, e.g. one with a proxy agent. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** The last argument of every method: overrides for this one call. */
export interface RequestOptions {
  timeout?: number;
  maxRetries?: number;
  /** Sent as `Idempotency-Key` on creates; generated when absent. Reuse it to retry a create safely yourself. */
  idempotencyKey?: string;
}

const CLIENT_OPTIONS = ['apiKey', 'baseUrl', 'timeout', 'maxRetries', 'fetch'] as const satisfies readonly (keyof ClientOptions)[];
const REQUEST_OPTIONS = ['timeout', 'maxRetries', 'idempotencyKey'] as const satisfies readonly (keyof RequestOptions)[];

/** stripe-node's lesson: a misspelt option must fail loudly, not be ignored. */
function checkOptions(given: object, valid: readonly string[], where: string): void {
  const unknown = Object.keys(given).filter((k) => !valid.includes(k));
  if (unknown.length) {
    throw new TypeError(`${where}: unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; valid options are ${valid.join(', ')}`);
  }
}

function checkCount(value: unknown, name: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
    throw new TypeError(`${name} must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
  }
}

export interface RequestInit {
  id?: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  options?: RequestOptions | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Kataven {
  /** `Kataven.webhooks.verify(rawBody, headers, secret)`: is this request to your agent from your hub? See docs/agents.md. */
  static readonly webhooks = webhooks;
  /** `Kataven.identity.sign({ secret, keyId, user, expiresIn })`: a visitor token for `Kataven('identify', token)`. See docs/identity.md. */
  static readonly identity = identity;
  readonly widgetKeys = new WidgetKeys(this);
  readonly agents = new Agents(this);
  readonly conversations = new Conversations(this);
  readonly secretKeys = new SecretKeys(this);
  readonly baseUrl: string;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions = {}) {
    checkOptions(options, CLIENT_OPTIONS, 'new Kataven()');
    const apiKey = options.apiKey ?? process.env.KATAVEN_API_KEY;
    if (!apiKey) {
      throw new Error('Missing API key: pass new Kataven({ apiKey }) or set KATAVEN_API_KEY to a secret key (sk_live_…, from `kataven accounts create`)');
    }
    const baseUrl = options.baseUrl ?? process.env.KATAVEN_BASE_URL;
    if (!baseUrl) throw new Error("Missing hub URL: pass new Kataven({ baseUrl }) or set KATAVEN_BASE_URL, e.g. 'http://127.0.0.1:8787'");
    if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
      throw new Error(`baseUrl ${JSON.stringify(baseUrl)} is not an http(s) URL, e.g. 'https://hub.example.com'`);
    }
    checkCount(options.timeout, 'timeout');
    checkCount(options.maxRetries, 'maxRetries');
    this.#apiKey = apiKey;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeout = options.timeout ?? 60_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Sends one call to `route`, retrying it as the options allow; resolves to the parsed JSON body. */
  async request<T>(route: Route, init: RequestInit = {}): Promise<T> {
    const options = init.options ?? {};
    checkOptions(options, REQUEST_OPTIONS, 'request options');
    checkCount(options.timeout, 'timeout');
    checkCount(options.maxRetries, 'maxRetries');
    const timeout = options.timeout ?? this.timeout;
    const maxRetries = options.maxRetries ?? this.maxRetries;
    const url = this.#url(route, init);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#apiKey}`,
      accept: 'application/json',
      'user-agent': `kataven-node/${VERSION}`,
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    // One key for the whole call, sent again on every retry: a create retried after a lost response is
    // replayed by the hub instead of minting a second key.
    if (route.method === 'POST') headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);

    for (let retry = 0; ; retry++) {
      let error: APIError;
      let delayHeaders: Headers | undefined;
      try {
        const response = await this.#attempt(url, { method: route.method, headers, body }, timeout);
        const parsed = parseJson(response.text);
        if (response.status >= 200 && response.status < 300) {
          if (parsed === undefined) throw new APIError(response.status, undefined, `The hub answered HTTP ${response.status} with a body that is not JSON`, response.headers);
          return parsed as T;
        }
        error = APIError.generate(response.status, parsed, response.headers);
        delayHeaders = response.headers;
      } catch (err) {
        if (!(err instanceof APIConnectionError)) throw err;
        error = err;
      }
      if (retry >= maxRetries || !shouldRetry(error)) throw error;
      await sleep(retryDelayMs(retry, delayHeaders));
    }
  }

  #url(route: Route, init: RequestInit): string {
    let path = route.path;
    if (path.includes('{id}')) {
      const id = init.id;
      // `.` and `..` would be resolved away by URL parsing, even percent-encoded (WHATWG URL).
      if (typeof id !== 'string' || id === '' || id === '.' || id === '..') throw new TypeError(`id must be a non-empty string, got ${JSON.stringify(id)}`);
      path = path.replace('{id}', encodeURIComponent(id));
    }
    const search = new URLSearchParams();
    for (const name of route.query ?? []) {
      const value = init.query?.[name];
      if (value !== undefined) search.set(name, String(value));
    }
    const query = search.toString();
    return this.baseUrl + path + (query ? `?${query}` : '');
  }

  /** One HTTP exchange, body included, under one timeout; a failure without a response is an APIConnectionError. */
  async #attempt(url: string, init: { method: string; headers: Record<string, string>; body: string | undefined }, timeout: number) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    try {
      const response = await this.#fetch(url, { ...init, signal: controller.signal });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (err) {
      if (controller.signal.aborted) throw new APIConnectionTimeoutError(timeout);
      const reason = (err as { cause?: { code?: string; message?: string } }).cause;
      const detail = reason?.code ?? reason?.message ?? (err as Error).message;
      throw new APIConnectionError(`Could not reach the Kataven hub at ${this.baseUrl} (${detail}); check KATAVEN_BASE_URL and that the hub is running`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
