/**
 * For a POST whose body fields are all optional (a rotation with a default grace period, a test event with
 * a default sentence): no body at all (`curl -X POST`) means the defaults, as `{}` does, instead of
 * "body: must be object". A preValidation hook, so the route's schema still checks what is sent.
 */
import type { FastifyRequest, HookHandlerDoneFunction } from 'fastify';

export const bodyMayBeOmitted = (request: FastifyRequest, _reply: unknown, done: HookHandlerDoneFunction) => {
  request.body ??= {};
  done();
};
