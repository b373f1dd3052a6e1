/**
 * POST /api/v1/widget/session: a fresh session token before the current one expires. Beside the handshake
 * because both issue sessions; the refresh re-checks the key and the origin as every session call does.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { WIDGET_API, WIDGET_API_BODY_LIMIT, type SessionRefresh } from '../../protocol/widget-api.js';
import type { HubContext } from '../context.js';
import { issueSession } from '../visitor/session.js';
import { visitorSession } from '../visitor/session-auth.js';

const EmptyBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

export async function sessionRefreshRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(WIDGET_API.session, { bodyLimit: WIDGET_API_BODY_LIMIT, schema: { hide: true, body: EmptyBody } }, async (request, reply): Promise<SessionRefresh> => {
    const { claims, key } = await visitorSession(ctx, request);
    reply.header('cache-control', 'no-store');
    const session = issueSession(ctx.sessions, key, claims.org);
    return { session_token: session.token, expires_at: session.expires_at };
  });
}
