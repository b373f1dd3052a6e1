/**
 * Keeps the session token fresh: a refresh at ~80% of the time left until `expires_at`, then again for
 * each new token. A refresh re-checks on the hub that the key is still enabled and the page origin still
 * allowed, so a refusal (4xx) ends the chat, in the visitor's words (the hub's reason is English, and
 * for the site's owner). Transient failures (network, 5xx, 429) retry while the token is still valid.
 */
import type { Api, Auth } from './api.js';
import type { Strings } from './strings.js';

/** Refresh this share of the way from now to expiry. */
const SHARE = 0.8;
/** Retry delay after a transient failure, capped by the time the token has left. */
const RETRY_MS = 15_000;

/**
 * `onEnd(line)` runs once when the session cannot continue, with the visitor's line for it in the frame's
 * language: `unavailable` when the hub refused the key or the site, else `expired`. Returns `stop`.
 */
export function keepFresh(api: Api, auth: Auth, expiresAt: string, t: Pick<Strings, 'expired' | 'unavailable'>, onEnd: (line: string) => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let expires = Date.parse(expiresAt);

  const schedule = (ms: number) => {
    if (!stopped) timer = setTimeout(run, Math.max(0, ms));
  };
  const end = (reason: string) => {
    if (stopped) return;
    stopped = true;
    onEnd(reason);
  };

  async function run() {
    const r = await api.refresh();
    if (stopped) return;
    if (r.ok && typeof r.data.session_token == 'string' && !isNaN(Date.parse(r.data.expires_at))) {
      auth.token = r.data.session_token;
      expires = Date.parse(r.data.expires_at);
      return schedule((expires - Date.now()) * SHARE);
    }
    const left = expires - Date.now();
    if (!r.ok && r.status == 401) return end(t.expired);
    // Key disabled, origin no longer allowed…
    if (!r.ok && r.status >= 400 && r.status < 500 && r.status != 429) return end(t.unavailable);
    if (left <= 0) return end(t.expired);
    schedule(Math.min(RETRY_MS, left / 2));
  }

  // A token without a readable expiry is used as is, unrefreshed (the hub always sends one).
  if (!isNaN(expires)) schedule((expires - Date.now()) * SHARE);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
