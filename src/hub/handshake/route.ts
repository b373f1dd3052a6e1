/**
 * POST /api/v1/widget/handshake: may this page show the widget? Checks run cheapest first: body and key
 * format (no database), key by hash (cached), disabled, Origin, allowlist, rate limit. Denials carry
 * Access-Control-Allow-Origin for a well-formed origin, so the loader can read and print the reason.
 */
import type { FastifyInstance } from 'fastify';
import { HANDSHAKE_PATH, type HandshakeErrorType, type HandshakeResponse } from '../../protocol/handshake.js';
import { PUBLIC_KEY_PREFIX } from '../../protocol/keys.js';
import { originAllowed } from '../allowlist/allowlist.js';
import { parseOrigin, type OriginResult } from '../allowlist/origin.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { hashKey, isWellFormedKey } from '../keys/format.js';
import type { CachedKey } from './key-cache.js';

const deny = (status: number, type: HandshakeErrorType, message: string) => new HubError(status, type, message);

/** The allowlist decision for an origin header, shared by the handshake, the frame and session refresh. */
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

/** A session for a visitor of `origin` on `key`'s site: the handshake and session refresh both issue it. */
export function issueSession(ctx: HubContext, key: CachedKey, origin: string) {
  return ctx.sessions.sign({ kid: key.id, acc: key.accountId, agt: key.agent.id, org: origin });
}

export async function handshakeRoutes(app: FastifyInstance, ctx: HubContext) {
  // The hub's own origin as the browser sees it, for absolute frame URLs: fixed when configured.
  const publicOrigin = ctx.config.publicUrl ? new URL(ctx.config.publicUrl).origin : null;
  app.post(
    HANDSHAKE_PATH,
    {
      bodyLimit: 1024,
      schema: { hide: true },
    },
    async (request, reply) => {
      const originResult = parseOrigin(request.headers.origin);
      reply.header('vary', 'Origin');
      if (originResult.ok) reply.header('access-control-allow-origin', originResult.origin.origin);
      reply.header('cache-control', 'no-store');
      return answer(request.body, request.ip, originResult, publicOrigin ?? `${request.protocol}://${request.host}`, ctx);
    },
  );
}

async function answer(
  rawBody: unknown,
  ip: string,
  originResult: OriginResult,
  hub: string,
  ctx: HubContext,
): Promise<HandshakeResponse> {
  const clientKey = readClientKey(rawBody);
  if (!isWellFormedKey(PUBLIC_KEY_PREFIX, clientKey)) {
    throw deny(400, 'key_malformed', `The client key is malformed: expected data-client-key="${PUBLIC_KEY_PREFIX}…" (46 characters) exactly as created; check for a typo or a truncated copy`);
  }
  const key = await ctx.keys.get(hashKey(clientKey));
  if (!key) {
    throw deny(404, 'key_not_found', `No widget key ends in ${clientKey.slice(-8)}; it may have been deleted. Create a key and paste its new tag`);
  }
  if (key.disabled) {
    throw deny(403, 'key_disabled', `Widget key …${key.last8} is disabled. Enable it (PATCH disabled: false) or create a new key`);
  }
  const denied = checkOrigin(key, originResult);
  if (denied) throw denied;
  const origin = (originResult as Extract<OriginResult, { ok: true }>).origin.origin;
  await ctx.limit(`hs:${key.id}:${ip}`, ctx.config.handshakeRateLimit, 'widget handshakes from this address');
  await ctx.usage.record(key);
  const session = await issueSession(ctx, key, origin);
  return {
    session_token: session.token,
    expires_at: session.expires_at,
    frame_url: `${hub}/widget/v1/frame?k=${encodeURIComponent(key.id)}&o=${encodeURIComponent(origin)}`,
    agent: key.agent,
  };
}

/** text/plain (the loader's simple request) arrives as a string; application/json (curl) as an object. */
function readClientKey(body: unknown): unknown {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === 'object' ? (value as { client_key?: unknown }).client_key : undefined;
}
