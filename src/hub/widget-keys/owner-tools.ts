/**
 * What a key's owner asks when a widget stays blank (issue 14): which origins were refused, and would
 * this origin pass? The answer comes from the very checks the handshake runs, on the key as the
 * handshake sees it (the key cache), so the two cannot disagree.
 */
import type { Kysely } from 'kysely';
import type { BlockedOriginList, CheckOriginResult } from '../../protocol/api.js';
import { matchingPattern } from '../allowlist/allowlist.js';
import { parseOrigin } from '../allowlist/origin.js';
import { formatPattern, parsePattern } from '../allowlist/pattern.js';
import { BLOCKED_ORIGIN_TTL_MS } from '../blocked-origins/recorder.js';
import { listBlockedOrigins } from '../blocked-origins/repo.js';
import type { Database } from '../db/schema.js';
import { HubError } from '../errors.js';
import type { KeyCache } from '../visitor/key-cache.js';
import { checkOrigin, keyDisabled } from '../visitor/origin-check.js';
import { findWidgetKey } from './repo.js';
import { notFound } from './service.js';

interface Deps {
  db: Kysely<Database>;
  keys: Pick<KeyCache, 'getById'>;
}

export async function blockedOrigins(deps: Deps, accountId: string, id: string): Promise<BlockedOriginList> {
  if (!(await findWidgetKey(deps.db, accountId, id))) throw notFound(id);
  const since = new Date(Date.now() - BLOCKED_ORIGIN_TTL_MS).toISOString();
  const key = await deps.keys.getById(id);
  // What is left to fix: an origin the key allows now (its entry was added since) is left out, by the
  // handshake's own check. Its row stays: with the entry removed again, it is listed again.
  const stillRefused = (origin: string) => !key || key.disabled || checkOrigin(key, parseOrigin(origin)) !== null;
  // The list is capped at MAX_BLOCKED_ORIGINS and so always whole: has_more stays false.
  return { data: (await listBlockedOrigins(deps.db, id, since)).filter((b) => stillRefused(b.origin)), has_more: false };
}

export async function checkOriginOf(deps: Deps, accountId: string, id: string, input: string): Promise<CheckOriginResult> {
  if (!(await findWidgetKey(deps.db, accountId, id))) throw notFound(id);
  const result = parseOrigin(input);
  if (!result.ok) throw new HubError(400, 'invalid_request', malformed(input));
  const key = await deps.keys.getById(id);
  // No agent answers for it (its agent was deleted): the handshake answers key_not_found.
  if (!key) throw notFound(id);
  const refusal = key.disabled ? keyDisabled(key) : checkOrigin(key, result);
  // A test key ignores its allowlist: no entry admits or would admit an origin for it.
  const pattern = key.mode === 'live' ? matchingPattern(result.origin, key.patterns) : null;
  const suggestion = key.mode === 'live' && !pattern ? parsePattern(result.origin.origin) : null;
  return {
    allowed: refusal === null,
    matched_entry: pattern && formatPattern(pattern),
    reason: refusal?.message ?? null,
    suggested_entry: suggestion?.ok ? suggestion.normalized : null,
  };
}

/** Names the field, and the origin meant when the input is a URL (a page address, a trailing slash). */
function malformed(input: string): string {
  let meant = '';
  try {
    const url = new URL(input);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin !== input) meant = `; did you mean ${JSON.stringify(url.origin)}?`;
  } catch {
    /* not a URL at all */
  }
  return `origin: ${JSON.stringify(input.slice(0, 100))} is not an origin as a browser sends it; write scheme://host[:port] with no path or trailing slash, e.g. "https://shop.example.com"${meant}`;
}
