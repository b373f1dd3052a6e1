/** /api/v1/widget-keys: list, create, update, delete. Every route is scoped to the secret key's account. */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CreateWidgetKeyBody, CreatedWidgetKeySchema, DeletedWidgetKeySchema, ErrorSchema, IdParams, ListQuery,
  UpdateWidgetKeyBody, WidgetKeyListSchema, WidgetKeySchema,
} from '../../protocol/api.js';
import { normalizeAllowlist } from '../allowlist/allowlist.js';
import { findAgent } from '../agents/repo.js';
import type { HubContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { HubError } from '../errors.js';
import { hashKey } from '../keys/format.js';
import { nowIso } from '../ids.js';
import { createWidgetKey } from './create.js';
import { deleteWidgetKey, findWidgetKey, listWidgetKeys, toWidgetKey } from './repo.js';

// The errors each operation can really answer (documented in the OpenAPI document).
const common = { 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema };
const errors = { ...common, 404: ErrorSchema };
const tags = ['widget-keys'];

function allowlistOrThrow(entries: string[] | undefined): string[] {
  const result = normalizeAllowlist(entries ?? []);
  if (!result.ok) throw new HubError(400, 'invalid_allowlist', result.errors.join('; '));
  return result.list;
}

async function agentOrThrow(db: Kysely<Database>, accountId: string, agentId: string | null | undefined): Promise<void> {
  if (agentId && !(await findAgent(db, accountId, agentId))) {
    throw new HubError(400, 'invalid_request', `agent_id: no agent ${JSON.stringify(agentId)} in this account; list yours with GET /api/v1/agents, or send null for the default agent`);
  }
}

const notFound = (id: string) => new HubError(404, 'not_found', `No widget key ${JSON.stringify(id)} in this account; list yours with GET /api/v1/widget-keys`);

export async function widgetKeyRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = ctx.store;

  app.get('/api/v1/widget-keys', {
    schema: { tags, summary: 'List widget keys', querystring: ListQuery, response: { 200: WidgetKeyListSchema, ...common } },
  }, async (request) => listWidgetKeys(db, request.accountId, request.query));

  app.post('/api/v1/widget-keys', {
    schema: {
      tags, summary: 'Create a widget key (returns plaintext pk_live_ ONCE)', body: CreateWidgetKeyBody,
      headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } } },
      response: { 201: CreatedWidgetKeySchema, ...common, 409: ErrorSchema, 413: ErrorSchema },
    },
  }, async (request, reply) => {
    const allowlist = allowlistOrThrow(request.body.domain_allowlist);
    await agentOrThrow(db, request.accountId, request.body.agent_id);
    const idem = request.headers['idempotency-key'];
    const { created, replayed } = await createWidgetKey(db, {
      accountId: request.accountId, params: request.body, allowlist,
      idempotencyKey: typeof idem === 'string' ? idem : undefined, secret: ctx.secret,
    });
    // A cached "not found" for this hash must not outlive the key's creation.
    ctx.keys.invalidate(hashKey(created.key));
    reply.header('cache-control', 'no-store');
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(201).send(created);
  });

  app.patch('/api/v1/widget-keys/:id', {
    schema: { tags, summary: 'Update or revoke a widget key', params: IdParams, body: UpdateWidgetKeyBody, response: { 200: WidgetKeySchema, ...errors } },
  }, async (request) => {
    const { id } = request.params;
    const patch = request.body;
    // Validate everything before writing anything: a rejected update changes nothing.
    const row = await findWidgetKey(db, request.accountId, id);
    if (!row) throw notFound(id);
    const allowlist = patch.domain_allowlist === undefined ? undefined : allowlistOrThrow(patch.domain_allowlist);
    await agentOrThrow(db, request.accountId, patch.agent_id);
    const now = nowIso();
    const changes: Partial<Record<string, string | null>> = { updated_at: now };
    if (patch.name !== undefined) changes.name = patch.name;
    if (allowlist !== undefined) changes.domain_allowlist = JSON.stringify(allowlist);
    if (patch.agent_id !== undefined) changes.agent_id = patch.agent_id;
    if (patch.disabled === false) changes.disabled_at = null;
    await db
      .updateTable('widget_keys')
      .set((eb) => ({
        ...changes,
        // disabled: true keeps the first timestamp: a second call changes nothing.
        ...(patch.disabled === true ? { disabled_at: eb.fn.coalesce('disabled_at', eb.val(now)) } : {}),
      }))
      .where('id', '=', id)
      .where('account_id', '=', request.accountId)
      .execute();
    ctx.keys.invalidate(row.key_hash);
    const after = await findWidgetKey(db, request.accountId, id);
    if (!after) throw notFound(id); // deleted by a concurrent request
    return toWidgetKey(after);
  });

  app.delete('/api/v1/widget-keys/:id', {
    schema: { tags, summary: 'Delete or soft-disable a widget key', params: IdParams, response: { 200: DeletedWidgetKeySchema, ...errors } },
  }, async (request) => {
    const row = await findWidgetKey(db, request.accountId, request.params.id);
    if (!row) throw notFound(request.params.id);
    const result = await deleteWidgetKey(db, row);
    ctx.keys.invalidate(row.key_hash);
    return result;
  });
}
