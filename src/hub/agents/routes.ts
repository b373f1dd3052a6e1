/** /api/v1/agents: list, create, retrieve, update. Changing an agent refreshes cached keys at once. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AgentListSchema, AgentSchema, CreateAgentBody, ErrorSchema, IdParams, ListQuery, UpdateAgentBody } from '../../protocol/api.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { findAgent, insertAgent, listAgents, toAgent, updateAgent } from './repo.js';

const common = { 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema };
const errors = { ...common, 404: ErrorSchema };
const tags = ['agents'];

const notFound = (id: string) => new HubError(404, 'not_found', `No agent ${JSON.stringify(id)} in this account; list yours with GET /api/v1/agents`);

/** Only http(s) URLs: the hub POSTs every visitor message there. */
function checkWebhookUrl(url: string | null | undefined): void {
  if (url === null || url === undefined) return;
  let ok = false;
  try {
    const u = new URL(url);
    ok = (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
  } catch {
    ok = false;
  }
  if (!ok) throw new HubError(400, 'invalid_request', `webhook_url: ${JSON.stringify(url)} is not an http(s) URL without credentials, e.g. "https://example.com/kataven-webhook"`);
}

export async function agentRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = ctx.store;

  app.get('/api/v1/agents', {
    schema: { tags, summary: 'List agents', querystring: ListQuery, response: { 200: AgentListSchema, ...common } },
  }, async (request) => listAgents(db, request.accountId, request.query));

  app.post('/api/v1/agents', {
    schema: { tags, summary: 'Create an agent', body: CreateAgentBody, response: { 201: AgentSchema, ...common } },
  }, async (request, reply) => {
    checkWebhookUrl(request.body.webhook_url);
    return reply.code(201).send(await insertAgent(db, request.accountId, request.body));
  });

  app.get('/api/v1/agents/:id', {
    schema: { tags, summary: 'Retrieve an agent', params: IdParams, response: { 200: AgentSchema, ...errors } },
  }, async (request) => {
    const row = await findAgent(db, request.accountId, request.params.id);
    if (!row) throw notFound(request.params.id);
    return toAgent(row);
  });

  app.patch('/api/v1/agents/:id', {
    schema: { tags, summary: 'Update an agent', params: IdParams, body: UpdateAgentBody, response: { 200: AgentSchema, ...errors } },
  }, async (request) => {
    checkWebhookUrl(request.body.webhook_url);
    if (!(await findAgent(db, request.accountId, request.params.id))) throw notFound(request.params.id);
    const agent = await updateAgent(db, request.accountId, request.params.id, request.body);
    if (!agent) throw notFound(request.params.id);
    // Cached keys embed their agent's name, greeting and colour.
    ctx.keys.invalidate(null);
    return agent;
  });
}
