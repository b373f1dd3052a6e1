/** The frame's conversations, messages and events stream (src/protocol/widget-api.ts); the session refresh is beside the handshake. */
import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { MAX_REPORTED_CONTEXT_BYTES } from '../../protocol/agent-webhook.js';
import { CLIENT_MESSAGE_ID_PATTERN, MAX_CLIENT_MESSAGE_ID_LENGTH } from '../../protocol/conversation-events.js';
import { MAX_MESSAGE_LENGTH, WIDGET_API, WIDGET_API_BODY_LIMIT, type MessageList } from '../../protocol/widget-api.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { openEventStream } from './events.js';
import { createConversation, findConversation } from './repo.js';
import { conversationSnapshot, postVisitorMessage } from './service.js';
import { visitorSession } from '../visitor/session-auth.js';
import { formatCursor } from './cursor.js';
import { CONVERSATION_ID_PATTERN } from '../../protocol/ids.js';


const ConversationParams = Type.Object({ id: Type.String({ pattern: CONVERSATION_ID_PATTERN }) });
const MessageBody = Type.Object(
  {
    text: Type.String(),
    client_message_id: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_LENGTH, pattern: CLIENT_MESSAGE_ID_PATTERN })),
    // A JSON object (not an array) or null; its size is checked below, in bytes of JSON.
    context: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
  },
  { additionalProperties: false },
);
const EmptyBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

/** WIDGET_API.messages(id) and .events(id) as route patterns. */
const MESSAGES_ROUTE = `${WIDGET_API.conversations}/:id/messages`;
const EVENTS_ROUTE = `${WIDGET_API.conversations}/:id/events`;

const notFound = () => new HubError(404, 'conversation_not_found', 'This conversation does not exist for this site; start a new one');

/** Conversation ids are the visitor's only handle: rate-limit buckets (Redis keys) carry a hash. */
const bucketOf = (conversationId: string) => createHash('sha256').update(conversationId).digest('base64url').slice(0, 22);

export async function conversationRoutes(base: FastifyInstance, ctx: HubContext) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = ctx.store;
  const { config } = ctx;
  const opts = { schema: { hide: true }, bodyLimit: WIDGET_API_BODY_LIMIT } as const;

  app.post(WIDGET_API.conversations, { ...opts, schema: { hide: true, body: EmptyBody } }, async (request, reply) => {
    const { claims, key } = await visitorSession(ctx, request);
    // Limits follow what costs, not the session token (which a visitor can renew at will).
    await ctx.limit(`conv:ip:${request.ip}`, config.conversationRateLimitIp, 'new conversations from this address');
    await ctx.limit(`conv:key:${key.id}`, config.conversationRateLimitKey, 'new conversations on this site');
    const conversation = await createConversation(db, { account_id: key.accountId, widget_key_id: key.id, agent_id: key.agent.id, origin: claims.org, mode: key.mode });
    return reply.code(201).send(conversation);
  });

  app.get(MESSAGES_ROUTE, { schema: { hide: true, params: ConversationParams } }, async (request, reply): Promise<MessageList> => {
    const { claims } = await visitorSession(ctx, request);
    const conversation = await findConversation(db, request.params.id, claims.kid, claims.org);
    if (!conversation) throw notFound();
    reply.header('cache-control', 'no-store');
    const { data, cursor } = await conversationSnapshot(ctx, conversation.id);
    return { data, last_event_id: formatCursor(cursor) };
  });

  app.post(MESSAGES_ROUTE, { ...opts, schema: { hide: true, params: ConversationParams, body: MessageBody } }, async (request, reply) => {
    const { claims, key } = await visitorSession(ctx, request);
    const text = request.body.text.trim();
    if (!text) throw new HubError(400, 'invalid_request', 'text: the message is empty');
    if (text.length > MAX_MESSAGE_LENGTH) throw new HubError(400, 'invalid_request', `text: at most ${MAX_MESSAGE_LENGTH} characters`);
    // PostgreSQL refuses NUL in text (a 500 otherwise); SQLite would keep it. Refused the same on both.
    if (text.includes('\u0000')) throw new HubError(400, 'invalid_request', 'text: contains a NUL character (\\u0000); remove it');
    const { context } = request.body;
    // The frame cuts it to this size (src/frame/context.ts): a larger one was not sent by the frame.
    if (context && Buffer.byteLength(JSON.stringify(context)) > MAX_REPORTED_CONTEXT_BYTES) {
      throw new HubError(400, 'invalid_request', `context: at most ${MAX_REPORTED_CONTEXT_BYTES} bytes of JSON; send less of what the page reported`);
    }
    const conversation = await findConversation(db, request.params.id, claims.kid, claims.org);
    if (!conversation) throw notFound();
    const limits = async () => {
      await ctx.limit(`msg:ip:${request.ip}`, config.messageRateLimitIp, 'messages from this address');
      await ctx.limit(`msg:key:${key.id}`, config.messageRateLimitKey, 'messages on this site');
      await ctx.limit(`msg:conv:${bucketOf(conversation.id)}`, config.messageRateLimitConversation, 'messages in this conversation');
    };
    const post = { text, client_message_id: request.body.client_message_id, context: context as Record<string, unknown> | null | undefined };
    const { message, started } = await postVisitorMessage(ctx, conversation.id, post, limits);
    reply.header('cache-control', 'no-store');
    // 202: a reply is on its way (a new message, or the retry of one whose reply failed); 200: a repeat.
    return reply.code(started ? 202 : 200).send({ message });
  });

  app.get(EVENTS_ROUTE, { schema: { hide: true, params: ConversationParams } }, async (request, reply) => {
    const { claims } = await visitorSession(ctx, request);
    const conversation = await findConversation(db, request.params.id, claims.kid, claims.org);
    if (!conversation) throw notFound();
    await openEventStream(ctx, request, reply, claims, conversation);
  });
}
