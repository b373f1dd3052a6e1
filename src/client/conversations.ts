/**
 * `client.conversations`: what visitors and agents said in the widget. Read them, answer in them (the
 * later reply of an agent that answered 202, or a person's), take one over from the agent and hand it
 * back, erase them. Each method is one
 * Hub API request.
 */
import type {
  Conversation, ConversationList, ConversationMessage, ConversationWithMessages, CreateConversationMessageParams, DeletedConversation,
  ListConversationsParams, UpdateConversationParams,
} from '../protocol/api.js';
import type { RequestOptions } from './kataven.js';
import { PagePromise } from './pagination.js';
import { APIResource } from './resource.js';
import { ROUTES } from './routes.js';

export class ConversationMessages extends APIResource {
  /**
   * Posts a message into the conversation; the visitor sees it at once. Without `author_name` the agent
   * speaks (`role: 'agent'`: how an agent that answered 202 delivers its reply); with it a person does
   * (`role: 'person'`, shown by that name). The text is markdown, like an agent reply.
   *
   * @example
   * await client.conversations.messages.create('conv_…', { text: 'Your order shipped this morning.' });
   * await client.conversations.messages.create('conv_…', { text: 'Sam here, I can help.', author_name: 'Sam' });
   * @see http://127.0.0.1:8787/docs#/conversations/post_api_v1_conversations__id__messages (the API reference; every hub serves it at /docs)
   */
  create(conversationId: string, input: CreateConversationMessageParams, options?: RequestOptions): Promise<ConversationMessage> {
    return this.client.request(ROUTES['conversations.messages'].create, { id: conversationId, body: input, options });
  }
}

export class Conversations extends APIResource {
  readonly messages = new ConversationMessages(this.client);

  /**
   * Lists conversations, newest first, each with `message_count` and `last_message_at`; `widget_key_id`
   * keeps one key's. Await it for one page, or iterate it for every conversation across pages.
   *
   * @example
   * const page = await client.conversations.list({ widget_key_id: 'wk_…', limit: 10 }); // { data, has_more }
   * const theirs = await client.conversations.list({ visitor_id: 'user_1842' }); // one verified visitor's
   * for await (const c of client.conversations.list()) console.log(c.id, c.origin, c.message_count);
   * @see http://127.0.0.1:8787/docs#/conversations/get_api_v1_conversations (the API reference; every hub serves it at /docs)
   */
  list(params: ListConversationsParams = {}, options?: RequestOptions): PagePromise<Conversation> {
    const { limit, starting_after, widget_key_id, visitor_id } = params;
    return new PagePromise(
      (after) => this.client.request<ConversationList>(ROUTES.conversations.list, { query: { limit, starting_after: after, widget_key_id, visitor_id }, options }),
      starting_after,
    );
  }

  /**
   * Fetches one conversation with every message, oldest first.
   *
   * @example
   * const { messages } = await client.conversations.retrieve('conv_…');
   * for (const m of messages) console.log(m.role, m.author_name ?? '', m.text);
   * @see http://127.0.0.1:8787/docs#/conversations/get_api_v1_conversations__id_ (the API reference; every hub serves it at /docs)
   */
  retrieve(id: string, options?: RequestOptions): Promise<ConversationWithMessages> {
    return this.client.request(ROUTES.conversations.retrieve, { id, options });
  }

  /**
   * Takes the conversation over as a person (`taken_over_by`: their name) or hands it back to the agent
   * (`null`). While a person has it, the visitor's messages are stored and the agent is not called; the
   * visitor's widget says who answers. Handed back, the agent answers the visitor's next message.
   * With `if_taken_over_by` (who you saw answering; `null`: the agent) it changes only if that is still
   * so (or already is what you ask), and otherwise throws a `ConflictError` of type `takeover_conflict`
   * whose message names who answers now; it is not retried.
   *
   * @example
   * await client.conversations.update('conv_…', { taken_over_by: 'Sam', if_taken_over_by: null }); // the agent stops answering, unless someone took over first
   * await client.conversations.messages.create('conv_…', { text: 'Sam here, I can help.', author_name: 'Sam' });
   * await client.conversations.update('conv_…', { taken_over_by: null }); // the agent answers again
   * @see http://127.0.0.1:8787/docs#/conversations/patch_api_v1_conversations__id_ (the API reference; every hub serves it at /docs)
   */
  update(id: string, input: UpdateConversationParams, options?: RequestOptions): Promise<Conversation> {
    return this.client.request(ROUTES.conversations.update, { id, body: input, options });
  }

  /**
   * Erases a conversation and every message of it, for good (a visitor asked to be forgotten): nothing
   * is soft-deleted, and the id answers 404 from then on.
   *
   * @example
   * await client.conversations.del('conv_…'); // { id, deleted: true }
   * @see http://127.0.0.1:8787/docs#/conversations/delete_api_v1_conversations__id_ (the API reference; every hub serves it at /docs)
   */
  del(id: string, options?: RequestOptions): Promise<DeletedConversation> {
    return this.client.request(ROUTES.conversations.del, { id, options });
  }
}
