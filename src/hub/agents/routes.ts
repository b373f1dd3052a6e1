/** /api/v1/agents: list, create, retrieve, update. The rules of a write are in service.ts. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AgentListSchema, AgentSchema, CreateAgentBody, ErrorSchema, IdParams, ListQuery, UpdateAgentBody } from '../../protocol/api.js';
import type { HubContext } from '../context.js';
import { findAgent, listAgents, toAgent } from './repo.js';
import * as agents from './service.js';

const common = { 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema };
const errors = { ...common, 404: ErrorSchema };
const tags = ['agents'];

export async function agentRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = ctx.store;
  const deps = { db, keys: ctx.keys, allowPrivate: ctx.config.allowPrivateWebhooks };

  app.get('/api/v1/agents', {
    schema: { tags, summary: 'List agents', querystring: ListQuery, response: { 200: AgentListSchema, ...common } },
  }, async (request) => listAgents(db, request.accountId, request.query));

  app.post('/api/v1/agents', {
    schema: { tags, summary: 'Create an agent', body: CreateAgentBody, response: { 201: AgentSchema, ...common } },
  }, async (request, reply) => reply.code(201).send(await agents.create(deps, request.accountId, request.body)));

  app.get('/api/v1/agents/:id', {
    schema: { tags, summary: 'Retrieve an agent', params: IdParams, response: { 200: AgentSchema, ...errors } },
  }, async (request) => {
    const row = await findAgent(db, request.accountId, request.params.id);
    if (!row) throw agents.agentNotFound(request.params.id);
    return toAgent(row);
  });

  app.patch('/api/v1/agents/:id', {
    schema: { tags, summary: 'Update an agent', params: IdParams, body: UpdateAgentBody, response: { 200: AgentSchema, ...errors, 409: ErrorSchema } },
  }, async (request) => agents.update(deps, request.accountId, request.params.id, request.body));

  app.post('/api/v1/agents/:id/webhook-secret/rotate', {
    schema: {
      tags, summary: 'Rotate the webhook secret',
      description: 'A new webhook_secret, in force at once: the next webhook request is signed with it. Give it to your agent right away.',
      params: IdParams, response: { 200: AgentSchema, ...errors },
    },
  }, async (request) => agents.rotateWebhookSecret(deps, request.accountId, request.params.id));
}
