/** Widget-side helpers: a key, a handshake from an origin, calls with a session token. */
import { HANDSHAKE_PATH } from '../../src/protocol/handshake.js';
import { call } from './http.js';
import type { TestHub } from './hub.js';

export interface CreatedKey {
  id: string;
  key: string;
  key_last8: string;
}

/** `key` with its last character changed, never to itself: a key one typo away from a real one. */
export const withLastCharChanged = (key: string) => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');

/** POST /api/v1/widget-keys on the hub at `base`; throws with the answer unless it is a 201. */
export async function createWidgetKey(base: string, secretKey: string, allowlist: string[], extra: Record<string, unknown> = {}): Promise<CreatedKey> {
  const res = await call(base, 'POST', '/api/v1/widget-keys', { key: secretKey, body: { name: 'k', domain_allowlist: allowlist, ...extra } });
  if (res.status !== 201) throw new Error(`create key: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedKey;
}

export const createKey = (hub: TestHub, allowlist: string[], extra: Record<string, unknown> = {}) =>
  createWidgetKey(hub.url, hub.account.secret_key, allowlist, extra);

/** The handshake as the loader sends it (text/plain: a CORS simple request) to the hub at `base`. */
export const handshakeAt = (base: string, clientKey: string, origin: string, headers: Record<string, string> = {}) =>
  call(base, 'POST', HANDSHAKE_PATH, {
    body: JSON.stringify({ client_key: clientKey }),
    headers: { origin, 'content-type': 'text/plain;charset=UTF-8', ...headers },
  });

export const handshake = (hub: TestHub, clientKey: string, origin: string) => handshakeAt(hub.url, clientKey, origin);

/** A call to the frame's API with a session token. */
export const widgetCall = (hub: TestHub, token: string | null, method: string, path: string, body?: unknown) =>
  call(hub.url, method, path, { key: token, body });
