/**
 * POST /api/v1/widget/handshake: may this page show the widget? Checks run cheapest first: body and key
 * format (no database), key by hash (cached; unknown keys limited per address), disabled, Origin,
 * allowlist (or a test key's loopback rule), rate limit. A refusal of a known key is recorded for its
 * owner (blocked-origins/recorder.ts) without waiting for any write. Denials carry
 * Access-Control-Allow-Origin for a well-formed origin, so the loader can read and print the reason.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { HANDSHAKE_PATH } from '../../protocol/handshake.js';
import { KEY_CHECKSUM_LENGTH, KEY_RANDOM_LENGTH, PUBLIC_KEY_PREFIX, TEST_PUBLIC_KEY_PREFIX } from '../../protocol/keys.js';
import { parseOrigin, type OriginResult } from '../allowlist/origin.js';
import type { HubContext } from '../context.js';
import { publicKeyHash } from '../keys/format.js';
import { checkOrigin, deny, keyDisabled } from '../visitor/origin-check.js';
import { issueSession } from '../visitor/session.js';
import { chooseLanguage } from '../widget/language.js';
import { agentJson, handshakeJson } from './body.js';

/** Enough for `{"client_key":"pk_live_…"}` and then some; anything bigger is not a loader's request. */
const HANDSHAKE_BODY_LIMIT = 1024;

export async function handshakeRoutes(app: FastifyInstance, ctx: HubContext) {
  // The hub's own origin as the browser sees it, for absolute frame URLs: fixed when configured.
  const publicOrigin = ctx.config.publicUrl ? new URL(ctx.config.publicUrl).origin : null;
  app.post(
    HANDSHAKE_PATH,
    {
      bodyLimit: HANDSHAKE_BODY_LIMIT,
      schema: { hide: true },
    },
    // Not async: it returns answer()'s promise as it is, one promise per handshake instead of two.
    (request, reply) => {
      const originResult = parseOrigin(request.headers.origin);
      if (originResult.ok) reply.header('access-control-allow-origin', originResult.origin.origin);
      reply.header('cache-control', 'no-store');
      // The iframe's title is host-page text a screen reader reads: in the frame's language.
      reply.header('vary', 'Origin, Accept-Language');
      // The answer is JSON text already (body.ts): Fastify sends a string with this type as it is.
      reply.header('content-type', 'application/json; charset=utf-8');
      return ctx.metrics.handshake(answer(request.body, request.ip, originResult, request.headers.origin, publicOrigin ?? `${request.protocol}://${request.host}`, request.headers['accept-language'], ctx, request.log));
    },
  );
}

async function answer(
  rawBody: unknown,
  ip: string,
  originResult: OriginResult,
  originHeader: string | string[] | undefined,
  hub: string,
  acceptLanguage: string | undefined,
  ctx: HubContext,
  log: FastifyBaseLogger,
): Promise<string> {
  const clientKey = readClientKey(rawBody);
  const hash = publicKeyHash(clientKey);
  if (hash === null) {
    throw deny(400, 'key_malformed', `The client key is malformed: expected data-client-key="${PUBLIC_KEY_PREFIX}…" or "${TEST_PUBLIC_KEY_PREFIX}…" (${PUBLIC_KEY_PREFIX.length + KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH} characters) exactly as created; check for a typo or a truncated copy`);
  }
  const key = await findKey(ctx, hash, ip);
  if (!key) {
    await ctx.failures.fail(`hs-miss:${ip}`, ctx.config.handshakeMissRateLimit, 'handshakes with unknown widget keys from this address');
    throw deny(404, 'key_not_found', `No widget key ends in ${clientKey.slice(-8)}; it may have been deleted. Create a key and paste its new tag`);
  }
  const denied = key.disabled ? keyDisabled(key) : checkOrigin(key, originResult);
  if (denied) {
    ctx.blocked.record(key.id, denied.type, originResult, originHeader);
    throw denied;
  }
  const origin = (originResult as Extract<OriginResult, { ok: true }>).origin.origin;
  await ctx.limit(`hs:${key.id}:${ip}`, ctx.config.handshakeRateLimit, 'widget handshakes from this address');
  await ctx.usage.record(key, log);
  const session = issueSession(ctx.sessions, key, origin);
  return handshakeJson({
    session_token: session.token,
    expires_at: session.expires_at,
    frame_url: `${hub}/widget/v1/frame?k=${encodeURIComponent(key.id)}&o=${encodeURIComponent(origin)}`,
    agent: agentJson(key.agent, chooseLanguage(key.agent.locale, acceptLanguage)),
    identity: key.identity,
    mode: key.mode,
  });
}

/**
 * The key from the cache, or from the database unless this address is over its limit of unknown keys:
 * made-up keys are well formed and pass the checksum, and each would cost a query.
 */
function findKey(ctx: HubContext, hash: string, ip: string) {
  const known = ctx.keys.cached(hash);
  if (known !== undefined) return known;
  ctx.failures.check(`hs-miss:${ip}`);
  return ctx.keys.get(hash);
}

/**
 * The loader's own body, exactly: `{"client_key":"pk_…"}`. A key's characters need no JSON escape, so the
 * match is what JSON.parse would return, without parsing; any other body is parsed.
 */
const LOADER_BODY = /^\{"client_key":"([0-9A-Za-z_]{1,100})"\}$/;

/**
 * text/plain (the loader's simple request) arrives as a string; application/json (curl) as an object.
 * No key, or one that is not a string, reads as '': malformed like any other.
 */
function readClientKey(body: unknown): string {
  let value = body;
  if (typeof value === 'string') {
    const loader = LOADER_BODY.exec(value);
    if (loader) return loader[1]!;
    try {
      value = JSON.parse(value);
    } catch {
      return '';
    }
  }
  const key = value !== null && typeof value === 'object' ? (value as { client_key?: unknown }).client_key : undefined;
  return typeof key === 'string' ? key : '';
}
