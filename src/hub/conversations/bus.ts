/**
 * The conversation bus: how a change made by one hub process (a message stored, a delta of a reply)
 * reaches the event streams open on every process. In memory for one process (the embedded mode);
 * redis-bus.ts shares it across processes. Only the messages being streamed live here (their text so
 * far); everything else is read from the store.
 */
import type { ConversationEvents } from '../../protocol/conversation-events.js';

type ChangeName = 'message.created' | 'message.completed' | 'message.failed';

/** A stored change, with its number (repo.ts): readers apply them in that order. */
export type ChangeEvent = { [K in ChangeName]: { kind: 'change'; seq: number; event: K; data: ConversationEvents[K] } }[ChangeName];
/** More text of a streaming reply: `end` is the reply's length with it. */
export interface DeltaEvent { kind: 'delta'; message_id: string; text: string; end: number }
export interface StatusEvent { kind: 'status'; text: string }
/**
 * Who answers changed (a person took over, or handed back). A signal, not the new value: two changes
 * made on two processes can arrive in either order, so readers read what is stored (reader.ts).
 */
export interface TakeoverEvent { kind: 'takeover' }
export type BusEvent = ChangeEvent | DeltaEvent | StatusEvent | TakeoverEvent;

export type BusListener = (event: BusEvent) => void;

export interface ConversationBus {
  /** Resolves once subscribed: every event published after that reaches `listener`, in publish order. */
  subscribe(conversationId: string, listener: BusListener): Promise<() => void>;
  publish(conversationId: string, event: ChangeEvent | StatusEvent | TakeoverEvent): Promise<void>;
  /**
   * Appends to a streaming reply's text and publishes the delta, as one step: a reader that subscribed,
   * then read the text, gets exactly the deltas past what it read.
   */
  appendDelta(conversationId: string, messageId: string, text: string, end: number): Promise<void>;
  /** The text so far of a streaming reply; null when no process has it (its process stopped). */
  replyText(messageId: string): Promise<string | null>;
  dropReply(messageId: string): Promise<void>;
  /** Called after events may have been missed (a lost subscription): readers catch up from the store. */
  onResync(fn: () => void): void;
  close(): Promise<void>;
}

export function memoryBus(): ConversationBus {
  const listeners = new Map<string, Set<BusListener>>();
  const replies = new Map<string, string>();
  const emit = (conversationId: string, event: BusEvent) => {
    for (const l of listeners.get(conversationId) ?? []) l(event);
  };
  return {
    async subscribe(conversationId, listener) {
      let set = listeners.get(conversationId);
      if (!set) listeners.set(conversationId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(conversationId) === set) listeners.delete(conversationId);
      };
    },
    async publish(conversationId, event) {
      emit(conversationId, event);
    },
    async appendDelta(conversationId, messageId, text, end) {
      replies.set(messageId, (replies.get(messageId) ?? '') + text);
      emit(conversationId, { kind: 'delta', message_id: messageId, text, end });
    },
    async replyText(messageId) {
      return replies.get(messageId) ?? null;
    },
    async dropReply(messageId) {
      replies.delete(messageId);
    },
    onResync() {
      // One process: nothing can be missed.
    },
    async close() {
      listeners.clear();
    },
  };
}
