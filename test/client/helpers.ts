/** Shared by the client tests: a client on a test hub, a real handshake, and a fetch that records calls. */
import { Kataven, type ClientOptions } from '../../src/client/index.js';
import type { TestHub } from '../helpers/hub.js';
import { handshake as widgetHandshake } from '../helpers/widget.js';

export const clientFor = (hub: TestHub, options: ClientOptions = {}) =>
  new Kataven({ apiKey: hub.account.secret_key, baseUrl: hub.url, ...options });

/** Uses a key the way a customer's page does, so the hub records last_used_at. */
export const handshake = async (hub: TestHub, key: string, origin = 'https://allowed.example'): Promise<number> =>
  (await widgetHandshake(hub, key, origin)).status;

export interface Call {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
  signal: AbortSignal | undefined;
}

/**
 * The real fetch, with every request recorded; `fault(n)` may replace attempt n (0-based) with a
 * response or a thrown error, the network failures a real hub cannot produce on demand.
 */
type Fault = (n: number, call: Call, real: () => Promise<Response>) => Promise<Response | void> | undefined;

export function recordingFetch(fault: Fault = () => undefined) {
  const calls: Call[] = [];
  const impl: typeof fetch = async (input, init = {}) => {
    const call: Call = {
      method: init.method ?? 'GET',
      url: new URL(String(input)),
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      signal: init.signal ?? undefined,
    };
    calls.push(call);
    const real = () => fetch(input, init);
    return (await fault(calls.length - 1, call, real)) ?? real();
  };
  return { fetch: impl, calls };
}

/** What undici throws when the peer resets the connection. */
export const connectionReset = () =>
  new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });

/** Settles only when `signal` aborts, as a hub that never answers. */
export const untilAborted = (signal: AbortSignal | undefined) =>
  new Promise<never>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError'))));
