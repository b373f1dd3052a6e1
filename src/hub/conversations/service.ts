/**
 * What the routes do with messages, apart from HTTP: the visitor's post (stored and published at once,
 * the agent's turn started behind it) and the post of an agent or a person that answers later (the
 * Admin API's `POST /api/v1/conversations/{id}/messages` calls postAgentMessage).
 */
import type { ChatMessage } from '../../protocol/widget-api.js';
import type { HubContext } from '../context.js';
import type { Cursor } from './cursor.js';
import { conversationById, findByClientMessageId, insertMessage, latestMessages, replyTo, requestRetry, setReportedContext, toChatMessage } from './repo.js';

export interface VisitorPost {
  text: string;
  client_message_id?: string;
  /** The page's `Kataven('context', …)`, checked by the route: replaces the stored one when given. */
  context?: Record<string, unknown> | null;
}

/**
 * `created` false: a repeat of `client_message_id`, answered with the first message. It starts a turn
 * (`started`) only when that message's reply failed: the frame's Retry sends the same id, so asking
 * again never stores the question twice. A repeat while the reply streams, after it completed, or
 * before it began starts nothing.
 */
export async function postVisitorMessage(
  ctx: HubContext,
  conversationId: string,
  post: VisitorPost,
  /** The rate limits, checked after the repeat lookup: a repeat that calls no agent counts nothing. */
  limits: () => Promise<void>,
): Promise<{ message: ChatMessage; created: boolean; started: boolean }> {
  const { db } = ctx.store;
  const clientId = post.client_message_id;
  if (clientId !== undefined) {
    const first = await findByClientMessageId(db, conversationId, clientId);
    if (first) return { message: first.message, created: false, started: await retryFailedReply(ctx, conversationId, first.seq, post, limits) };
  }
  await limits();
  await saveContext(ctx, conversationId, post);
  let stored;
  try {
    stored = await insertMessage(db, conversationId, { role: 'visitor', text: post.text, status: 'completed', client_message_id: clientId ?? null });
  } catch (err) {
    // Two copies of one retry raced past the lookup: the unique index kept one; answer with it.
    const first = clientId === undefined ? null : await findByClientMessageId(db, conversationId, clientId);
    if (first) return { message: first.message, created: false, started: false };
    throw err;
  }
  // Before the publish: the message is stored, so it gets its answer even if the bus is away now.
  ctx.turns.kick(conversationId);
  await ctx.bus.publish(conversationId, { kind: 'change', seq: stored.seq, event: 'message.created', data: { message: stored.message } });
  return { message: stored.message, created: true, started: true };
}

/**
 * A repeat of the visitor message numbered `seq`: one more turn for it if, and only if, its reply failed
 * (replyTo: the reply of a turn that named it; an earlier message of a batch has none of its own).
 */
async function retryFailedReply(ctx: HubContext, conversationId: string, seq: number, post: VisitorPost, limits: () => Promise<void>): Promise<boolean> {
  const { db } = ctx.store;
  const conversation = await conversationById(db, conversationId);
  // Not answered yet (its turn is coming or running), or a retry is already waiting.
  if (!conversation || conversation.answered_seq < seq || conversation.retry_seq !== null) return false;
  const reply = await replyTo(db, conversationId, seq);
  if (reply?.status !== 'failed') return false;
  // It calls the agent again: it counts as a message.
  await limits();
  await saveContext(ctx, conversationId, post);
  if (!(await requestRetry(db, conversationId, seq, reply.created_seq))) return false;
  ctx.turns.kick(conversationId);
  return true;
}

/** Before the message (or the retry) is stored: a turn that finds it, on any process, reads this context. */
async function saveContext(ctx: HubContext, conversationId: string, post: VisitorPost): Promise<void> {
  if (post.context !== undefined) await setReportedContext(ctx.store.db, conversationId, post.context && JSON.stringify(post.context));
}

export interface AgentPost {
  text: string;
  /** Who wrote it (a person taking over); null for the agent itself. */
  author_name: string | null;
  role: 'person' | 'agent';
}

/**
 * A whole message from the agent (after its 202) or a person, into a conversation the caller has checked
 * belongs to the account. Readers get one `message.created` with `status: 'completed'`: final at once.
 */
export async function postAgentMessage(ctx: HubContext, conversationId: string, post: AgentPost): Promise<ChatMessage> {
  const stored = await insertMessage(ctx.store.db, conversationId, { role: post.role, text: post.text, status: 'completed', author_name: post.author_name });
  await ctx.bus.publish(conversationId, { kind: 'change', seq: stored.seq, event: 'message.created', data: { message: stored.message } });
  return stored.message;
}

/**
 * The conversation's latest messages (a streaming reply with its text so far) and the events-stream
 * position right after them. One read: changes are numbered in commit order (repo.ts), so what it sees
 * is every change up to its highest number, and resuming from there repeats nothing.
 */
export async function conversationSnapshot(ctx: HubContext, conversationId: string): Promise<{ data: ChatMessage[]; cursor: Cursor }> {
  const rows = await latestMessages(ctx.store.db, conversationId, 200);
  const cursor: Cursor = { seq: rows.reduce((max, r) => Math.max(max, r.seq), 0), chars: null };
  const data: ChatMessage[] = [];
  for (const row of rows) {
    const message = toChatMessage(row);
    if (row.status === 'streaming') {
      message.text = (await ctx.bus.replyText(row.id)) ?? '';
      cursor.chars = message.text.length;
    }
    data.push(message);
  }
  return { data, cursor };
}
