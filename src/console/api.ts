/**
 * The console's one door to the hub: the same Admin API as every client, authorised by the session
 * cookie (the browser sends it; page script never sees it), with the session's CSRF token on every write.
 * Errors carry the hub's own message, which the console shows as it is.
 */
import type { ConsoleSession } from '../protocol/api.js';
import { CONSOLE_CSRF_HEADER, CONSOLE_SESSION_PATH } from '../protocol/console.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  session: ConsoleSession | null;
}

/** `onSignedOut`: a 401 means the session ended (expired, signed out elsewhere, key rotated). */
export function createApi(onSignedOut: () => void): Api {
  const api: Api = {
    session: null,
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
  };
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && api.session) headers[CONSOLE_CSRF_HEADER] = api.session.csrf_token;
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    } catch {
      throw new ApiError(0, 'network', 'Could not reach the hub. Check that it is running, then try again.');
    }
    const data = await res.json().catch(() => null);
    if (res.ok) return data as T;
    const error = (data as { error?: { type?: string; message?: string } } | null)?.error;
    if (res.status === 401 && path !== CONSOLE_SESSION_PATH) onSignedOut();
    throw new ApiError(res.status, error?.type ?? 'http_error', error?.message ?? `The hub answered HTTP ${res.status}.`);
  }
  return api;
}

/** Encodes an id for a path segment. */
export const seg = encodeURIComponent;
