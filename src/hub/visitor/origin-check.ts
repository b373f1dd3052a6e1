/**
 * May a page of this origin use this key? The allowlist decision with the refusal a site owner can act
 * on; the handshake, the frame document, every session call and the Admin API's check-origin ask it.
 */
import type { HandshakeDenialType } from '../../protocol/handshake.js';
import { PUBLIC_KEY_PREFIX, TEST_PUBLIC_KEY_PREFIX } from '../../protocol/keys.js';
import { originAllowed } from '../allowlist/allowlist.js';
import { LOOPBACK_HOSTS } from '../allowlist/host.js';
import type { OriginResult } from '../allowlist/origin.js';
import { HubError } from '../errors.js';
import type { CachedKey } from './key-cache.js';

export const deny = (status: number, type: HandshakeDenialType, message: string) => new HubError(status, type, message);

type KeyForCheck = Pick<CachedKey, 'last8' | 'mode' | 'patterns' | 'allowlistEmpty'>;

/** The handshake's refusal of a disabled key, which it checks before the origin. */
export const keyDisabled = (key: Pick<CachedKey, 'last8'>) =>
  deny(403, 'key_disabled', `Widget key …${key.last8} is disabled. Enable it (PATCH disabled: false) or create a new key`);

/**
 * null when allowed; otherwise the refusal, naming the origin seen and the key's tail, never the allowlist.
 * A test key works on loopback origins whatever its allowlist says, and nowhere else, so nobody can ship
 * one by mistake.
 */
export function checkOrigin(key: KeyForCheck, result: OriginResult): HubError | null {
  const tail = `key …${key.last8}`;
  if (!result.ok) {
    const seen = result.reason === 'missing' ? 'no Origin header' : result.reason === 'null' ? 'Origin "null"' : 'a malformed Origin';
    return deny(400, 'origin_missing', `The request carried ${seen} (${tail}). Load the widget from an http(s) page; sandboxed and file:// pages cannot use it`);
  }
  const origin = result.origin.origin;
  if (key.mode === 'test') {
    if (LOOPBACK_HOSTS.has(result.origin.host)) return null;
    return deny(403, 'test_key_not_local', `Origin ${origin} cannot use ${tail}: it is a test key (${TEST_PUBLIC_KEY_PREFIX}…), which works only on localhost, 127.0.0.1 and [::1]. Use a live key (${PUBLIC_KEY_PREFIX}…) on this site`);
  }
  if (key.allowlistEmpty) {
    return deny(403, 'origin_not_allowed', `Origin ${origin} is not allowed: ${tail} has an empty domain allowlist, which allows no site. Add your site to the key's domain_allowlist`);
  }
  if (!originAllowed(result.origin, key.patterns)) {
    return deny(403, 'origin_not_allowed', `Origin ${origin} is not in the domain allowlist of ${tail}. Add it to the key's domain_allowlist`);
  }
  return null;
}
