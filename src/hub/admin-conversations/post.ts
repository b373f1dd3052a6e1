/**
 * The seam between the Admin API and the live conversation: storing a message that an agent (a 202
 * answer, posted later) or a person wrote. The live conversation's own function replaces this body: it
 * also publishes the message to the visitor's event stream and ends a pending reply.
 */
import type { ChatMessage, MessageRole } from '../../protocol/widget-api.js';
import type { HubContext } from '../context.js';
import { addMessage } from '../conversations/repo.js';

export interface PostedMessage {
  text: string;
  /** Who wrote it, for a person; null for the agent. */
  author_name: string | null;
  role: Extract<MessageRole, 'agent' | 'person'>;
}

export async function postAgentMessage(ctx: HubContext, conversationId: string, input: PostedMessage): Promise<ChatMessage> {
  const message = await addMessage(ctx.store.db, conversationId, input.role, input.text);
  // Until the live conversation's migration adds the column, the store keeps no author: echoed here only.
  return { ...message, status: 'completed', author_name: input.author_name };
}
