/**
 * Authorises the frame's requests: a valid session token, and (re-checked on every call, from the key
 * cache) a key that is still enabled and an origin still allowed, so a revocation stops open widgets too.
 * Rate limited per session.
 */
import type { FastifyRequest } from 'fastify';
import { parseOrigin } from '../allowlist/origin.js';
import { bearerToken } from '../bearer.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import type { SessionClaims } from '../session/token.js';
import type { CachedKey } from './key-cache.js';
import { checkOrigin, deny } from './origin-check.js';

interface VisitorSession {
  claims: SessionClaims;
  key: CachedKey;
}

const invalid = () => new HubError(401, 'session_invalid', 'This chat session has expired or is invalid; reload the page to start a new one');

export async function visitorSession(ctx: HubContext, request: FastifyRequest): Promise<VisitorSession> {
  const token = bearerToken(request.headers.authorization);
  const claims = token ? await ctx.sessions.verify(token) : null;
  if (!claims) throw invalid();
  await ctx.limit(`sess:${claims.jti}`, ctx.config.sessionRateLimit, 'chat requests in this session');
  const key = await ctx.keys.getById(claims.kid);
  if (!key) throw deny(403, 'key_not_found', 'The widget key of this session was deleted');
  if (key.disabled) throw deny(403, 'key_disabled', `Widget key …${key.last8} has been disabled by the site owner`);
  const denied = checkOrigin(key, parseOrigin(claims.org));
  if (denied) throw denied;
  return { claims, key };
}
