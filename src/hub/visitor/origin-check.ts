/**
 * May a page of this origin use this key? The allowlist decision with the refusal a site owner can act
 * on; the handshake, the frame document and every session call ask it.
 */
import type { HandshakeDenialType } from '../../protocol/handshake.js';
import { originAllowed } from '../allowlist/allowlist.js';
import type { OriginResult } from '../allowlist/origin.js';
import { HubError } from '../errors.js';
import type { CachedKey } from './key-cache.js';

export const deny = (status: number, type: HandshakeDenialType, message: string) => new HubError(status, type, message);

/** null when allowed; otherwise the refusal, naming the origin seen and the key's tail, never the allowlist. */
export function checkOrigin(key: CachedKey, result: OriginResult): HubError | null {
  const tail = `key …${key.last8}`;
  if (!result.ok) {
    const seen = result.reason === 'missing' ? 'no Origin header' : result.reason === 'null' ? 'Origin "null"' : 'a malformed Origin';
    return deny(400, 'origin_missing', `The request carried ${seen} (${tail}). Load the widget from an http(s) page; sandboxed and file:// pages cannot use it`);
  }
  const origin = result.origin.origin;
  if (key.allowlistEmpty) {
    return deny(403, 'origin_not_allowed', `Origin ${origin} is not allowed: ${tail} has an empty domain allowlist, which allows no site. Add your site to the key's domain_allowlist`);
  }
  if (!originAllowed(result.origin, key.patterns)) {
    return deny(403, 'origin_not_allowed', `Origin ${origin} is not in the domain allowlist of ${tail}. Add it to the key's domain_allowlist`);
  }
  return null;
}
