/** /api/v1/widget-keys: list, create, update, delete, rotate the identity secret, scoped to the secret key's account. The rules of a write are in service.ts. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AllowlistValidationSchema, BlockedOriginListSchema, CheckOriginBody, CheckOriginResultSchema, CreatedWidgetKeySchema, CreateWidgetKeyBody, DeletedWidgetKeySchema, ErrorSchema, IdParams, ListQuery,
  RotateIdentitySecretBody, UpdateWidgetKeyBody, ValidateAllowlistBody, WidgetKeyListSchema, WidgetKeySchema, WidgetKeyWithIdentitySecretSchema,
} from '../../protocol/api.js';
import { checkAllowlistEntries } from '../allowlist/allowlist.js';
import type { HubContext } from '../context.js';
import { listWidgetKeys } from './repo.js';
import { blockedOrigins, checkOriginOf } from './owner-tools.js';
import * as widgetKeys from './service.js';
import { bodyMayBeOmitted } from '../optional-body.js';

// The errors each operation can really answer (documented in the OpenAPI document).
const common = { 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema };
const errors = { ...common, 404: ErrorSchema };
const tags = ['widget-keys'];

export async function widgetKeyRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = ctx.store;
  const deps = { db, keys: ctx.keys, secret: ctx.secret };

  app.get('/api/v1/widget-keys', {
    schema: { tags, summary: 'List widget keys', querystring: ListQuery, response: { 200: WidgetKeyListSchema, ...common } },
  }, async (request) => listWidgetKeys(db, request.accountId, request.query));

  app.post('/api/v1/widget-keys', {
    schema: {
      tags, summary: 'Create a widget key (returns plaintext pk_live_ or pk_test_ ONCE)', body: CreateWidgetKeyBody,
      headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } } },
      response: { 201: CreatedWidgetKeySchema, ...common, 409: ErrorSchema, 413: ErrorSchema },
    },
  }, async (request, reply) => {
    const idem = request.headers['idempotency-key'];
    const { created, replayed } = await widgetKeys.create(deps, request.accountId, request.body, typeof idem === 'string' ? idem : undefined);
    reply.header('cache-control', 'no-store');
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(201).send(created);
  });

  app.patch('/api/v1/widget-keys/:id', {
    schema: {
      tags, summary: 'Update or revoke a widget key (returns identity_secret ONCE when it turns identity on)', params: IdParams, body: UpdateWidgetKeyBody,
      response: { 200: WidgetKeyWithIdentitySecretSchema, ...errors },
    },
  }, async (request) => widgetKeys.update(deps, request.accountId, request.params.id, request.body));

  app.post('/api/v1/widget-keys/:id/identity-secret', {
    schema: {
      tags, summary: 'Rotate the identity secret (returns the new one ONCE; the previous one verifies for grace_period_s)', params: IdParams,
      body: RotateIdentitySecretBody, response: { 200: WidgetKeyWithIdentitySecretSchema, ...errors, 409: ErrorSchema },
    },
    preValidation: bodyMayBeOmitted,
  }, async (request) => widgetKeys.rotateIdentitySecret(deps, request.accountId, request.params.id, request.body));

  app.delete('/api/v1/widget-keys/:id', {
    schema: { tags, summary: 'Delete or soft-disable a widget key', params: IdParams, response: { 200: DeletedWidgetKeySchema, ...errors } },
  }, async (request) => widgetKeys.remove(deps, request.accountId, request.params.id));

  app.post('/api/v1/allowlist/validate', {
    schema: {
      tags, summary: 'Check an allowlist without saving it',
      description: 'Each entry as a create or update would take it: the normalised form, or the same message the 400 would give. Always 200 for a well-formed body.',
      body: ValidateAllowlistBody, response: { 200: AllowlistValidationSchema, ...common },
    },
  }, async (request) => {
    const checked = checkAllowlistEntries(request.body.domain_allowlist);
    return { valid: checked.error === null && checked.entries.every((e) => e.error === null), ...checked };
  });

  app.get('/api/v1/widget-keys/:id/blocked-origins', {
    schema: {
      tags, summary: 'List the origins this key refused and still refuses, newest first (at most 100, kept 30 days)',
      params: IdParams, response: { 200: BlockedOriginListSchema, ...errors },
    },
  }, async (request) => blockedOrigins(deps, request.accountId, request.params.id));

  app.post('/api/v1/widget-keys/:id/check-origin', {
    schema: {
      tags, summary: "Would a page of this origin pass the key's handshake? Which allowlist entry admits it, or would",
      params: IdParams, body: CheckOriginBody, response: { 200: CheckOriginResultSchema, ...errors },
    },
  }, async (request) => checkOriginOf(deps, request.accountId, request.params.id, request.body.origin));
}
