/** Shared by the client tests: a client on a test hub, a real handshake, and a fetch that records calls. */
import { vi } from 'vitest';
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
  let inFlight = 0;
  // The body is read here, inside the count, so that `busy()` covers every byte of real I/O.
  const real = (input: Parameters<typeof fetch>[0], init: RequestInit) => async () => {
    inFlight++;
    try {
      const res = await fetch(input, init);
      const body = res.body ? await res.arrayBuffer() : null;
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } finally {
      inFlight--;
    }
  };
  const impl: typeof fetch = async (input, init = {}) => {
    const call: Call = {
      method: init.method ?? 'GET',
      url: new URL(String(input)),
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      signal: init.signal ?? undefined,
    };
    calls.push(call);
    const send = real(input, init);
    return (await fault(calls.length - 1, call, send)) ?? send();
  };
  /** True while a request to the real hub is on the wire. */
  const busy = () => inFlight > 0;
  return { fetch: impl, calls, busy };
}

/** The fake clock of the retry tests: setTimeout and Date (setImmediate stays real, see `drive`). */
export const useFakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });

/**
 * Awaits `pending` on the fake clock: whenever no real request is on the wire (`busy`) and a timer waits
 * (a back-off, a Retry-After, a request timeout), the clock jumps to it. So the retry tests take no idle
 * time, and Date.now() still measures the waits the client chose.
 */
export async function drive<T>(pending: Promise<T>, busy: () => boolean = () => false): Promise<T> {
  let settled = false;
  // Handled at once: a rejection must not count as unhandled while the clock is still being driven.
  const outcome = pending.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  void outcome.then(() => (settled = true));
  while (!settled) {
    // One real turn lets every promise reaction and I/O callback that is due run first.
    await new Promise((r) => setImmediate(r));
    if (!settled && !busy() && vi.getTimerCount() > 0) await vi.advanceTimersToNextTimerAsync();
  }
  const done = await outcome;
  if ('error' in done) throw done.error;
  return done.value;
}

/** What undici throws when the peer resets the connection. */
export const connectionReset = () =>
  new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });

/** Settles only when `signal` aborts, as a hub that never answers. */
export const untilAborted = (signal: AbortSignal | undefined) =>
  new Promise<never>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError'))));
