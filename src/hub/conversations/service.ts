/**
 * What the routes do with messages, apart from HTTP: the visitor's post (stored and published at once,
 * the agent's turn started behind it) and the post of an agent or a person that answers later (the
 * Admin API's `POST /api/v1/conversations/{id}/messages` calls postAgentMessage).
 */
import type { ChatMessage } from '../../protocol/widget-api.js';
import type { HubContext } from '../context.js';
import type { Cursor } from './cursor.js';
import { findByClientMessageId, insertMessage, latestMessages, toChatMessage } from './repo.js';

export interface VisitorPost {
  text: string;
  client_message_id?: string;
}

/** `created` false: a retry of `client_message_id`, answered with the first message and no new turn. */
export async function postVisitorMessage(
  ctx: HubContext,
  conversationId: string,
  post: VisitorPost,
  /** The rate limits, checked after the retry lookup: a retry costs no agent call, so it counts nothing. */
  limits: () => Promise<void>,
): Promise<{ message: ChatMessage; created: boolean }> {
  const { db } = ctx.store;
  const clientId = post.client_message_id;
  if (clientId !== undefined) {
    const first = await findByClientMessageId(db, conversationId, clientId);
    if (first) return { message: first, created: false };
  }
  await limits();
  let stored;
  try {
    stored = await insertMessage(db, conversationId, { role: 'visitor', text: post.text, status: 'completed', client_message_id: clientId ?? null });
  } catch (err) {
    // Two copies of one retry raced past the lookup: the unique index kept one; answer with it.
    const first = clientId === undefined ? null : await findByClientMessageId(db, conversationId, clientId);
    if (first) return { message: first, created: false };
    throw err;
  }
  // Before the publish: the message is stored, so it gets its answer even if the bus is away now.
  ctx.turns.kick(conversationId);
  await ctx.bus.publish(conversationId, { kind: 'change', seq: stored.seq, event: 'message.created', data: { message: stored.message } });
  return { message: stored.message, created: true };
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
