/**
 * Whom a session speaks for: a verified visitor (its identity, until the visitor token's `exp`) or an
 * anonymous one. Asked by every conversation route, so that `required` keys serve no anonymous visitor
 * and an expired identity is refused out loud (`identity_expiry`), never dropped in silence.
 */
import type { VerifiedVisitor } from '../../protocol/identity.js';
import { HubError } from '../errors.js';
import type { SessionClaims } from '../session/token.js';
import type { CachedKey } from './key-cache.js';

export function sessionVisitor(claims: SessionClaims, key: CachedKey, now = Date.now()): VerifiedVisitor | null {
  // Identity turned off since the sign-in: the key's visitors are all anonymous again.
  if (key.identity === 'off') return null;
  const vis = claims.vis;
  if (vis && vis.exp * 1000 > now) return { id: vis.id, ...(vis.name ? { name: vis.name } : {}), ...(vis.email ? { email: vis.email } : {}) };
  if (vis) {
    throw new HubError(403, 'identity_expiry', `The visitor's sign-in token expired at ${new Date(vis.exp * 1000).toISOString()}; the page passes a new one with Kataven('identify', token) (the widget emits identity_expired before it runs out)`);
  }
  if (key.identity === 'required') {
    throw new HubError(403, 'identity_missing', `Widget key …${key.last8} requires signed-in visitors: the page must pass a visitor token with Kataven('identify', token) (docs/identity.md)`);
  }
  return null;
}
