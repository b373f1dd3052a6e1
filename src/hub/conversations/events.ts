/**
 * GET …/conversations/{id}/events: the conversation as `text/event-stream` (conversation-events.ts).
 * The route has checked the session and the conversation; this takes over the response, replays from
 * `Last-Event-ID` and stays open with the live events until the client leaves, the session ends, the
 * key is revoked (streams.ts), or the process stops.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HubContext } from '../context.js';
import type { ConversationTable } from '../db/schema.js';
import { HubError } from '../errors.js';
import type { SessionClaims } from '../session/token.js';
import { formatCursor, parseCursor } from './cursor.js';
import { ConversationReader } from './reader.js';
import { EventStream } from './streams.js';

export async function openEventStream(
  ctx: HubContext,
  request: FastifyRequest,
  reply: FastifyReply,
  claims: SessionClaims,
  conversation: Pick<ConversationTable, 'id'> & { seq: number },
): Promise<void> {
  const cursor = parseCursor(request.headers['last-event-id']);
  if (!cursor || cursor.seq > conversation.seq) {
    throw new HubError(400, 'invalid_request', 'Last-Event-ID: not an event id of this conversation; send the last id: the stream gave, or none to start from the beginning');
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    // nginx buffers proxied responses by default, which would hold every event back.
    'x-accel-buffering': 'no',
  });
  // Sends the headers now: the reader learns at once that the stream is open.
  res.write(': ok\n\n');
  const stream = new EventStream(res, claims);
  let position = formatCursor(cursor);
  const send: typeof stream.send = (event, id, data) => {
    position = id;
    stream.send(event, id, data);
  };
  const reader = new ConversationReader(ctx.store.db, ctx.bus, conversation.id, cursor, send, (err) => {
    request.log.warn({ err }, 'event stream ended: the store or the bus failed; the client resumes');
    stream.end();
  });
  stream.onEnd(() => reader.stop());
  request.raw.once('close', () => stream.end());
  res.once('error', () => stream.end());
  ctx.streams.add(stream, () => position, () => reader.resync());
  try {
    await reader.start();
  } catch (err) {
    request.log.warn({ err }, 'event stream could not subscribe; the client resumes');
    stream.end();
  }
}
