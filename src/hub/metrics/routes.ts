/** GET /metrics on the public port, only with KATAVEN_METRICS_TOKEN and only for that bearer token. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { bearerToken } from '../bearer.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { exposition, METRICS_PATH } from './exposition.js';

export async function metricsRoutes(app: FastifyInstance, ctx: HubContext) {
  const token = ctx.config.metricsToken;
  const registry = ctx.metrics.registry;
  if (token === null || registry === null) return;
  const expected = Buffer.from(token);
  app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
    const given = Buffer.from(bearerToken(request.headers.authorization) ?? '');
    // Equal lengths first: timingSafeEqual throws otherwise. The length of a 32+ character token is no secret.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HubError(401, 'authentication_required', 'Metrics need `Authorization: Bearer <KATAVEN_METRICS_TOKEN>`');
    }
    const { body, contentType } = await exposition(registry);
    reply.type(contentType).header('cache-control', 'no-store');
    return body;
  });
}
