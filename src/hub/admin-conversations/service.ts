/**
 * The Admin API's conversations: reading them, answering in them (a 202 agent's later reply, or a person
 * taking over), erasing them. Every operation is scoped to the secret key's account; another account's
 * conversation is "not found", never "forbidden".
 */
import type {
  Conversation, ConversationList, ConversationMessage, ConversationWithMessages, CreateConversationMessageParams, DeletedConversation,
  ListConversationsParams, UpdateConversationParams,
} from '../../protocol/api.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { DEFAULT_PAGE_SIZE } from '../pagination.js';
import { findWidgetKey } from '../widget-keys/repo.js';
import { eraseConversation } from './erase.js';
import { postAgentMessage } from '../conversations/service.js';
import { setTakenOverBy } from '../conversations/repo.js';
import { allMessages, findAccountConversation, findCountedConversation, listConversations, toAdminMessage } from './repo.js';

const notFound = (id: string) =>
  new HubError(404, 'not_found', `No conversation ${JSON.stringify(id)} in this account; list yours with GET /api/v1/conversations`);

export async function list(ctx: HubContext, accountId: string, params: ListConversationsParams): Promise<ConversationList> {
  const { db } = ctx.store;
  // A filter naming no key of this account would answer an empty list that looks like "no conversations".
  if (params.widget_key_id && !(await findWidgetKey(db, accountId, params.widget_key_id))) {
    throw new HubError(400, 'invalid_request', `widget_key_id: no widget key ${JSON.stringify(params.widget_key_id)} in this account; list yours with GET /api/v1/widget-keys`);
  }
  let cursor;
  if (params.starting_after) {
    cursor = await findAccountConversation(db, accountId, params.starting_after);
    if (!cursor) {
      throw new HubError(400, 'invalid_request', `starting_after: no conversation ${JSON.stringify(params.starting_after)} in this account; pass the id of the last conversation of the previous page`);
    }
  }
  return listConversations(db, accountId, { limit: params.limit ?? DEFAULT_PAGE_SIZE, widgetKeyId: params.widget_key_id, visitorId: params.visitor_id, cursor });
}

export async function retrieve(ctx: HubContext, accountId: string, id: string): Promise<ConversationWithMessages> {
  const conversation = await findCountedConversation(ctx.store.db, accountId, id);
  if (!conversation) throw notFound(id);
  return { ...conversation, messages: await allMessages(ctx.store.db, id) };
}

/** With `author_name` a person writes (role `person`); without it, the agent (role `agent`). */
export async function reply(ctx: HubContext, accountId: string, id: string, params: CreateConversationMessageParams): Promise<ConversationMessage> {
  const text = params.text.trim();
  if (!text) throw new HubError(400, 'invalid_request', 'text: only spaces; send the reply text');
  const author = params.author_name?.trim();
  if (author === '') throw new HubError(400, 'invalid_request', "author_name: only spaces; give the person's name, or leave it out for a reply by the agent");
  if (!(await findAccountConversation(ctx.store.db, accountId, id))) throw notFound(id);
  const message = await postAgentMessage(ctx, id, { text, author_name: author ?? null, role: author ? 'person' : 'agent' });
  return toAdminMessage(message);
}

/**
 * A person takes the conversation over (`taken_over_by`: their name) or hands it back (null). While it
 * is taken over, the visitor's messages are stored and shown, and the agent is not called (turns.ts); a
 * reply the agent is already writing finishes. Handed back, the agent answers the visitor's next
 * message (with the person's in its history), not what waited meanwhile. Readers learn it at once
 * (`conversation.updated`). `if_taken_over_by` makes it conditional on who answers now (the console
 * sends who it showed): 409 if that changed meanwhile, unless it changed to what this request asks.
 */
export async function update(ctx: HubContext, accountId: string, id: string, params: UpdateConversationParams): Promise<Conversation> {
  const name = params.taken_over_by === null ? null : params.taken_over_by.trim();
  if (name === '') throw new HubError(400, 'invalid_request', "taken_over_by: only spaces; give the name of the person taking over, or null to hand back to the agent");
  const expected = typeof params.if_taken_over_by === 'string' ? params.if_taken_over_by.trim() : params.if_taken_over_by;
  if (expected === '') throw new HubError(400, 'invalid_request', 'if_taken_over_by: only spaces; give the name of the person you saw answering, or null if you saw the agent');
  if (!(await findAccountConversation(ctx.store.db, accountId, id))) throw notFound(id);
  if (!(await setTakenOverBy(ctx.store.db, id, name, expected))) {
    const now = await findAccountConversation(ctx.store.db, accountId, id);
    if (!now) throw notFound(id);
    // Already so: this very request, sent again after its answer was lost, succeeds again (PATCH is
    // idempotent), and readers are told again in case the first publish failed.
    if (now.taken_over_by === name) return published(ctx, accountId, id);
    const answering = (who: string | null) => (who === null ? 'the agent' : JSON.stringify(who));
    throw new HubError(409, 'takeover_conflict', `${answering(now.taken_over_by)} answers this conversation now, not ${answering(expected!)}: retrieve it (GET /api/v1/conversations/${id}) and decide again`);
  }
  return published(ctx, accountId, id);
}

/** Tells the conversation's readers who answers now (they read it from the store), and answers with it. */
async function published(ctx: HubContext, accountId: string, id: string): Promise<Conversation> {
  await ctx.bus.publish(id, { kind: 'takeover' });
  const conversation = await findCountedConversation(ctx.store.db, accountId, id);
  // Erased in between.
  if (!conversation) throw notFound(id);
  return conversation;
}

export async function remove(ctx: HubContext, accountId: string, id: string): Promise<DeletedConversation> {
  if (!(await findAccountConversation(ctx.store.db, accountId, id))) throw notFound(id);
  // A concurrent erase may have won: it is gone either way, but only one caller is told it erased it.
  if (!(await eraseConversation(ctx.store, id))) throw notFound(id);
  return { id, deleted: true };
}
