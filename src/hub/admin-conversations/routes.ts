/** /api/v1/conversations: list, retrieve, take over or hand back, reply, erase, scoped to the secret key's account. The rules are in service.ts. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  ConversationListSchema, ConversationMessageSchema, ConversationWithMessagesSchema, CreateConversationMessageBody, DeletedConversationSchema,
  ConversationSchema, ErrorSchema, IdParams, ListConversationsQuery, UpdateConversationBody,
} from '../../protocol/api.js';
import type { HubContext } from '../context.js';
import * as conversations from './service.js';

const common = { 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema };
const errors = { ...common, 404: ErrorSchema };
const tags = ['conversations'];

export async function adminConversationRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/v1/conversations', {
    schema: { tags, summary: 'List conversations, newest first', querystring: ListConversationsQuery, response: { 200: ConversationListSchema, ...common } },
  }, async (request, reply) => {
    // Visitors' words: no shared cache may keep them.
    reply.header('cache-control', 'no-store');
    return conversations.list(ctx, request.accountId, request.query);
  });

  app.get('/api/v1/conversations/:id', {
    schema: { tags, summary: 'Retrieve a conversation with its messages', params: IdParams, response: { 200: ConversationWithMessagesSchema, ...errors } },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return conversations.retrieve(ctx, request.accountId, request.params.id);
  });

  app.patch('/api/v1/conversations/:id', {
    schema: {
      tags, summary: 'Take over as a person (the agent stops answering), or hand back to the agent', params: IdParams, body: UpdateConversationBody,
      response: { 200: ConversationSchema, ...errors, 409: ErrorSchema },
    },
  }, async (request) => conversations.update(ctx, request.accountId, request.params.id, request.body));

  app.post('/api/v1/conversations/:id/messages', {
    schema: {
      tags, summary: 'Post a reply: by the agent, or with author_name by a person', params: IdParams, body: CreateConversationMessageBody,
      response: { 201: ConversationMessageSchema, ...errors, 413: ErrorSchema },
    },
  }, async (request, reply) => reply.code(201).send(await conversations.reply(ctx, request.accountId, request.params.id, request.body)));

  app.delete('/api/v1/conversations/:id', {
    schema: { tags, summary: 'Erase a conversation and its messages for good', params: IdParams, response: { 200: DeletedConversationSchema, ...errors } },
  }, async (request) => conversations.remove(ctx, request.accountId, request.params.id));
}
