/**
 * The frame's calls to the hub (`WIDGET_API`): same-origin fetches authorised by the session token.
 * No call throws or rejects: every outcome, network failure included, is a `Result`.
 */
import type { ErrorBody } from '../protocol/errors.js';
import type { IdentifyBody, IdentifyResponse } from '../protocol/identity.js';
import {
  WIDGET_API_TIMEOUT_MS,
  WIDGET_API,
  type Conversation,
  type MessageList,
  type PostedMessage,
  type PostMessageBody,
  type SessionRefresh,
} from '../protocol/widget-api.js';

export type Result<T> =
  | { ok: true; status: number; data: T }
  /** `status` 0 means no HTTP answer: `type` is `network_error` or `timeout`. */
  | { ok: false; status: number; type: string; message: string };

/** The current session token; the refresher replaces it in place. */
export interface Auth {
  token: string;
}

export function createApi(fetchFn: typeof fetch, auth: Auth) {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Result<T>> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), WIDGET_API_TIMEOUT_MS);
    try {
      const headers: Record<string, string> = { authorization: 'Bearer ' + auth.token };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetchFn(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        signal: abort.signal,
      });
      let b: unknown;
      try {
        b = await res.json();
      } catch {}
      if (res.ok && b && typeof b == 'object') return { ok: true, status: res.status, data: b as T };
      const e = (b as Partial<ErrorBody> | undefined)?.error;
      return {
        ok: false,
        status: res.status,
        type: typeof e?.type == 'string' ? e.type : 'http_' + res.status,
        message: typeof e?.message == 'string' ? e.message : '',
      };
    } catch {
      return { ok: false, status: 0, type: abort.signal.aborted ? 'timeout' : 'network_error', message: '' };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    refresh: () => call<SessionRefresh>('POST', WIDGET_API.session, {}),
    /** A session bound to the visitor the page's token proves (docs/identity.md). */
    identify: (body: IdentifyBody) => call<IdentifyResponse>('POST', WIDGET_API.identify, body),
    /** An anonymous session in place of a verified one. */
    logout: () => call<SessionRefresh>('POST', WIDGET_API.logout, {}),
    createConversation: () => call<Conversation>('POST', WIDGET_API.conversations, {}),
    listMessages: (id: string) => call<MessageList>('GET', WIDGET_API.messages(id)),
    /** `context`: what the page reported with `Kataven('context', …)`, forwarded to the agent unverified. */
    postMessage: (id: string, body: PostMessageBody) => call<PostedMessage>('POST', WIDGET_API.messages(id), body),
  };
}

export type Api = ReturnType<typeof createApi>;
