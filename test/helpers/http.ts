/**
 * The one HTTP call of the tests (hub API, widget endpoints, hub processes of the cluster): JSON body in,
 * body parsed as JSON when it is JSON (the text otherwise), an optional Bearer key, and a hard timeout.
 * A hang or a refused connection comes back as status 0 with an error body, so it shows up as data in
 * the failing assertion instead of a stuck test.
 */

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  /** Wall time of the exchange, body included. */
  ms: number;
}

export interface CallInit {
  /** A string is sent as is (set its content-type in `headers`); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string | null;
  timeoutMs?: number;
}

export async function call(base: string, method: string, path: string, init: CallInit = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const start = performance.now();
  try {
    const res = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed, ms: performance.now() - start };
  } catch (err) {
    const type = (err as Error).name === 'TimeoutError' ? 'client_timeout' : 'connection_failed';
    return { status: 0, headers: new Headers(), body: { error: { type, message: String(err) } }, ms: performance.now() - start };
  }
}
