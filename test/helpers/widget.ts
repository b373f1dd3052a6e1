/** Widget-side helpers for hub tests: a key, a handshake from an origin, calls with a session token. */
import type { TestHub } from './hub.js';

export async function createKey(hub: TestHub, allowlist: string[], extra: Record<string, unknown> = {}) {
  const res = await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'k', domain_allowlist: allowlist, ...extra } });
  if (res.status !== 201) throw new Error(`createKey: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; key: string; key_last8: string };
}

export async function handshake(hub: TestHub, clientKey: string, origin: string) {
  const res = await fetch(`${hub.url}/api/v1/widget/handshake`, {
    method: 'POST',
    headers: { origin, 'content-type': 'text/plain' },
    body: JSON.stringify({ client_key: clientKey }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** A call to the frame's API with a session token. */
export async function widgetCall(hub: TestHub, token: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(hub.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}
