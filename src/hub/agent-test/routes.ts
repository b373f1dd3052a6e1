/** POST /api/v1/agents/{id}/test: a test event to the agent, and what it answered. The rules are in service.ts. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AgentTestBody, AgentTestResultSchema, ErrorSchema, IdParams } from '../../protocol/api.js';
import type { HubContext } from '../context.js';
import { sendTestEvent } from './service.js';
import { bodyMayBeOmitted } from '../optional-body.js';

export async function agentTestRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const settings = { firstByteMs: ctx.config.webhookTimeoutMs, allowPrivate: ctx.config.allowPrivateWebhooks, metrics: ctx.metrics };

  app.post('/api/v1/agents/:id/test', {
    schema: {
      tags: ['agents'], summary: 'Send a test event to the agent',
      description: 'A signed message.created with a test conversation (ids with `_test_`), answered here: the reply, or why it failed (with the detail only the owner sees). Nothing is stored.',
      params: IdParams, body: AgentTestBody, response: { 200: AgentTestResultSchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
    },
    preValidation: bodyMayBeOmitted,
  }, async (request) => sendTestEvent(ctx.store, settings, request.accountId, request.params.id, request.body.text));
}
