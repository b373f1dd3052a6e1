/**
 * POST /api/v1/widget/identify and /logout: the frame presents the page's visitor token (docs/identity.md)
 * and gets a session bound to that visitor, with the anonymous conversation it held adopted; logout gives
 * an anonymous session back. Beside the session refresh: each issues a session for the same page origin.
 */
import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { MAX_IDENTITY_TOKEN_LENGTH, type IdentifyResponse } from '../../protocol/identity.js';
import { CONVERSATION_ID_PATTERN } from '../../protocol/ids.js';
import { WIDGET_API, WIDGET_API_BODY_LIMIT, type SessionRefresh } from '../../protocol/widget-api.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { issueSession } from '../visitor/session.js';
import { visitorSession } from '../visitor/session-auth.js';
import { findWidgetKeyById } from '../widget-keys/repo.js';
import { verifyingSecrets } from '../widget-keys/identity.js';
import { adoptConversation, tokenOrigin, visitorConversations } from './repo.js';
import { secretBox } from '../session/secret-box.js';
import { verifyVisitorToken } from './verify.js';

const IdentifyBody = Type.Object(
  {
    token: Type.String({ maxLength: MAX_IDENTITY_TOKEN_LENGTH }),
    conversation_id: Type.Optional(Type.String({ pattern: CONVERSATION_ID_PATTERN })),
  },
  { additionalProperties: false },
);
const EmptyBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

/** How many of the visitor's conversations the identify answer lists. */
const LISTED_CONVERSATIONS = 20;

export async function identityRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = ctx.store;
  const box = secretBox(ctx.secret);
  const opts = { bodyLimit: WIDGET_API_BODY_LIMIT } as const;

  app.post(WIDGET_API.identify, { ...opts, schema: { hide: true, body: IdentifyBody } }, async (request, reply): Promise<IdentifyResponse> => {
    const { claims, key } = await visitorSession(ctx, request);
    reply.header('cache-control', 'no-store');
    if (key.identity === 'off') {
      throw new HubError(400, 'identity_off', `Widget key …${key.last8} has identity off: turn it on (PATCH /api/v1/widget-keys/${key.id} {"identity": "optional"}) to verify visitors`);
    }
    const { token } = request.body;
    if (!token) throw new HubError(400, 'identity_missing', "The visitor token is empty: pass the JWT your backend signed, Kataven('identify', token)");
    const row = await findWidgetKeyById(db, key.id);
    if (!row) throw new HubError(403, 'key_not_found', 'The widget key of this session was deleted');
    const { secrets, unreadable } = verifyingSecrets(box, row);
    if (unreadable) request.log.warn({ key_id: key.id }, 'identity secret sealed under another server secret: rotate it (POST /api/v1/widget-keys/{id}/identity-secret)');
    const checked = await verifyVisitorToken(token, key.id, secrets);
    if (!checked.ok) throw new HubError(403, `identity_${checked.check}`, checked.message);
    // A token works on the origin it was first presented on: copied to another site's page, it is refused.
    const hash = createHash('sha256').update(token).digest('base64url');
    const first = await tokenOrigin(db, hash, claims.org, new Date(checked.exp * 1000).toISOString());
    if (first !== claims.org) {
      throw new HubError(403, 'identity_origin', `This visitor token was first used on ${first}, not on ${claims.org}; sign a new token for each page that identifies the visitor`);
    }
    const { visitor } = checked;
    if (request.body.conversation_id) await adoptConversation(db, request.body.conversation_id, key.id, claims.org, visitor);
    const session = issueSession(ctx.sessions, key, claims.org, claims.sst, { ...visitor, exp: checked.exp });
    return {
      session_token: session.token,
      expires_at: session.expires_at,
      visitor,
      identity_expires_at: new Date(checked.exp * 1000).toISOString(),
      conversations: await visitorConversations(db, key.accountId, visitor.id, LISTED_CONVERSATIONS),
    };
  });

  app.post(WIDGET_API.logout, { ...opts, schema: { hide: true, body: EmptyBody } }, async (request, reply): Promise<SessionRefresh> => {
    const { claims, key } = await visitorSession(ctx, request);
    reply.header('cache-control', 'no-store');
    const session = issueSession(ctx.sessions, key, claims.org, claims.sst);
    return { session_token: session.token, expires_at: session.expires_at };
  });
}
