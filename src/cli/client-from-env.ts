/**
 * What the admin commands (widget-keys, agents) share: the flags that reach the hub, a client built from
 * them, and API errors turned into one stderr line with the server's message (exit 1; usage errors exit 2).
 */
import { APIConnectionError, APIError, Kataven, type Page, type PagePromise } from '../client/index.js';
import { UsageError } from './args.js';

const DEFAULT_BASE_URL = 'http://127.0.0.1:8787';

export const API_FLAGS = {
  'api-key': { type: 'string' },
  'base-url': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const API_FLAGS_HELP = `  --api-key KEY         secret key sk_live_… (default: $KATAVEN_API_KEY)
  --base-url URL        the hub (default: $KATAVEN_BASE_URL, else ${DEFAULT_BASE_URL})
  --json                print the API's JSON instead of a table, for scripts
  -h, --help            this help`;

export function clientFrom(values: { 'api-key'?: string; 'base-url'?: string }): Kataven {
  const apiKey = values['api-key'] || process.env.KATAVEN_API_KEY;
  if (!apiKey) throw new UsageError('no API key: pass --api-key sk_live_… or set KATAVEN_API_KEY (create one with `kataven accounts create`)');
  const baseUrl = values['base-url'] || process.env.KATAVEN_BASE_URL || DEFAULT_BASE_URL;
  try {
    return new Kataven({ apiKey, baseUrl });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs an API call; an APIError becomes an Error whose message is the server's, plus status, type and request id, and the next step `hint` gives for it, if any. */
export async function api<T>(call: Promise<T>, hint?: (err: APIError) => string | undefined): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (!(err instanceof APIError) || err instanceof APIConnectionError) throw err;
    const details = [`HTTP ${err.status}`, err.type, err.requestId && `request ${err.requestId}`].filter(Boolean).join(', ');
    // The hub speaks HTTP; a command can say what to run instead.
    const next = hint?.(err);
    throw new Error(`${err.message} (${details})${next ? `\n${next}` : ''}`, { cause: err });
  }
}

/** One page, or with `all` every item across pages (as one page with has_more false). */
export async function listed<T extends { id: string }>(list: PagePromise<T>, all: boolean | undefined): Promise<Page<T>> {
  if (!all) return api(list);
  const data: T[] = [];
  await api((async () => {
    for await (const item of list) data.push(item);
  })());
  return { data, has_more: false };
}

/** Flags given that the subcommand does not take are refused, not ignored. */
export function onlyFlags(values: Record<string, unknown>, allowed: readonly string[], command: string, usage: string): void {
  const always = ['help', ...Object.keys(API_FLAGS)];
  const extra = Object.keys(values).filter((k) => values[k] !== undefined && !always.includes(k) && !allowed.includes(k));
  if (extra.length) throw new UsageError(`${extra.map((k) => `--${k}`).join(', ')} does not apply to \`${command}\`\n\n${usage}`);
}

/** `--limit` as a page size the hub accepts (1 to 100). */
export function limitFlag(raw: string | undefined, usage: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 100) throw new UsageError(`--limit must be a whole number from 1 to 100, got ${JSON.stringify(raw)}\n\n${usage}`);
  return n;
}

export const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2));
