/** The frame's conversations and messages (src/protocol/widget-api.ts); the session refresh is beside the handshake. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { MAX_MESSAGE_LENGTH, WIDGET_API, WIDGET_API_BODY_LIMIT } from '../../protocol/widget-api.js';
import { findAgent } from '../agents/repo.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { visitorSession } from '../visitor/session-auth.js';
import { addMessage, createConversation, findConversation, listMessages } from './repo.js';
import { AgentUnavailable, agentReply } from './reply.js';

const ConversationParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const MessageBody = Type.Object({ text: Type.String() }, { additionalProperties: false });
const EmptyBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

/** WIDGET_API.messages(id) as a route pattern. */
const MESSAGES_ROUTE = `${WIDGET_API.conversations}/:id/messages`;

const notFound = () => new HubError(404, 'conversation_not_found', 'This conversation does not exist for this site; start a new one');

export async function conversationRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = ctx.store;
  const opts = { schema: { hide: true }, bodyLimit: WIDGET_API_BODY_LIMIT } as const;

  app.post(WIDGET_API.conversations, { ...opts, schema: { hide: true, body: EmptyBody } }, async (request, reply) => {
    const { claims, key } = await visitorSession(ctx, request);
    const conversation = await createConversation(db, { account_id: key.accountId, widget_key_id: key.id, agent_id: key.agent.id, origin: claims.org });
    return reply.code(201).send(conversation);
  });

  app.get(MESSAGES_ROUTE, { schema: { hide: true, params: ConversationParams } }, async (request, reply) => {
    const { claims } = await visitorSession(ctx, request);
    const conversation = await findConversation(db, request.params.id, claims.kid, claims.org);
    if (!conversation) throw notFound();
    reply.header('cache-control', 'no-store');
    return { data: await listMessages(db, conversation.id) };
  });

  app.post(MESSAGES_ROUTE, { ...opts, schema: { hide: true, params: ConversationParams, body: MessageBody } }, async (request, reply) => {
    const { claims } = await visitorSession(ctx, request);
    const text = request.body.text.trim();
    if (!text) throw new HubError(400, 'invalid_request', 'text: the message is empty');
    if (text.length > MAX_MESSAGE_LENGTH) throw new HubError(400, 'invalid_request', `text: at most ${MAX_MESSAGE_LENGTH} characters`);
    const conversation = await findConversation(db, request.params.id, claims.kid, claims.org);
    if (!conversation) throw notFound();
    const history = await listMessages(db, conversation.id, 20);
    const message = await addMessage(db, conversation.id, 'visitor', text);
    const agent = await findAgent(db, conversation.account_id, conversation.agent_id);
    if (!agent) throw new HubError(502, 'agent_unavailable', 'The agent of this conversation no longer exists');
    let answer: string;
    try {
      answer = await agentReply(agent, { conversationId: conversation.id, widgetKeyId: conversation.widget_key_id, origin: conversation.origin, message, history }, ctx.config.webhookTimeoutMs);
    } catch (err) {
      if (!(err instanceof AgentUnavailable)) throw err;
      request.log.warn({ agent_id: agent.id, reason: err.message }, 'agent webhook failed');
      throw new HubError(502, 'agent_unavailable', `${agent.name} could not answer right now (${err.message}); your message was kept, please try again`);
    }
    const replyMessage = await addMessage(db, conversation.id, 'agent', answer);
    return reply.code(201).send({ data: [message, replyMessage] });
  });
}
