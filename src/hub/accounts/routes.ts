/** POST /api/v1/secret-keys/rotate: a new secret key for the caller's account; the old ones end after a grace period. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ErrorSchema, RotatedSecretKeySchema, RotateSecretKeyBody, SECRET_KEY_GRACE_DEFAULT_S } from '../../protocol/api.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { rotateSecretKey } from './repo.js';
import { bodyMayBeOmitted } from '../optional-body.js';

export async function accountRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post('/api/v1/secret-keys/rotate', {
    schema: {
      tags: ['secret-keys'],
      summary: 'Rotate the secret key (returns the new sk_live_ ONCE)',
      description: "Mints a new secret key for this account. Every other key of the account (the one you call with included) keeps working for `grace_period_s` seconds, then is refused; 0 revokes them now.",
      body: RotateSecretKeyBody,
      response: { 201: RotatedSecretKeySchema, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
    },
    preValidation: bodyMayBeOmitted,
  }, async (request, reply) => {
    const rotated = await rotateSecretKey(ctx.store.db, request.accountId, request.body.grace_period_s ?? SECRET_KEY_GRACE_DEFAULT_S);
    // The account authenticated a moment ago; only its deletion in between could get here.
    if (!rotated) throw new HubError(401, 'invalid_api_key', 'This account no longer exists');
    return reply.code(201).send(rotated);
  });
}
