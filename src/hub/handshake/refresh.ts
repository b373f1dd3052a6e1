/**
 * POST /api/v1/widget/session: a fresh session token before the current one expires. Beside the handshake
 * because both issue sessions; the refresh re-checks the key and the origin as every session call does,
 * and keeps the session's start: once its lifetime (KATAVEN_SESSION_LIFETIME_S) is over, it answers 401
 * `session_ended` and only a new handshake from the page continues.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { WIDGET_API, WIDGET_API_BODY_LIMIT, type SessionRefresh } from '../../protocol/widget-api.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { issueSession } from '../visitor/session.js';
import { visitorSession } from '../visitor/session-auth.js';

const EmptyBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

/** A token shorter than this would have the frame refresh again at once: the session ends instead. */
const MIN_REFRESH_SECONDS = 60;

export async function sessionRefreshRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(WIDGET_API.session, { bodyLimit: WIDGET_API_BODY_LIMIT, schema: { hide: true, body: EmptyBody } }, async (request, reply): Promise<SessionRefresh> => {
    const { claims, key } = await visitorSession(ctx, request);
    reply.header('cache-control', 'no-store');
    const end = ctx.sessions.endOf(claims.sst);
    if (end - Date.now() / 1000 < MIN_REFRESH_SECONDS) {
      throw new HubError(401, 'session_ended', `This chat session reached its lifetime (${ctx.config.sessionLifetimeS} s since the page's handshake, ended ${new Date(end * 1000).toISOString()}); a new handshake from the page starts a new one`);
    }
    const session = issueSession(ctx.sessions, key, claims.org, claims.sst, claims.vis);
    return { session_token: session.token, expires_at: session.expires_at };
  });
}
