/**
 * The conversation: created on the visitor's first message, its id kept in the frame's storage so it
 * survives a reload, its history loaded from the hub. Nothing here throws or rejects: every failure
 * becomes a line in the panel.
 */
import type { AgentPublic } from '../protocol/handshake.js';
import { MAX_MESSAGE_LENGTH } from '../protocol/widget-api.js';
import type { Api, Result } from './api.js';
import type { Store } from './storage.js';
import type { View } from './view.js';

export const EXPIRED = 'This chat session has expired. Reload the page to continue.';

/** Storage key of the conversation id: one conversation per widget key (and, by partitioning, per site). */
export const conversationKey = (keyId: string) => 'kataven:conversation:' + keyId;

/** The line a visitor reads when a call fails. */
export function errorLine(r: Extract<Result<unknown>, { ok: false }>, agent: AgentPublic): string {
  if (r.type == 'agent_unavailable') return agent.name + ' could not answer right now. Please try again.';
  if (r.type == 'rate_limited' || r.status == 429) return "You're sending messages too fast. Please wait a moment and try again.";
  if (r.type == 'session_invalid' || r.status == 401) return EXPIRED;
  if (r.type == 'timeout') return 'The chat service took too long to answer. Please try again.';
  if (r.status == 0) return 'Could not reach the chat service. Check your connection and try again.';
  return r.message || 'Something went wrong (HTTP ' + r.status + '). Please try again.';
}

export interface ChatDeps {
  api: Api;
  store: Store;
  /** The widget key id (`k` of the frame URL). */
  keyId: string;
  agent: AgentPublic;
  view: View;
  /** The session is over (401): stop refreshing it. */
  onExpired(): void;
}

export function createChat({ api, store, keyId, agent, view, onExpired }: ChatDeps) {
  const key = conversationKey(keyId);
  const fail = (r: Extract<Result<unknown>, { ok: false }>) => {
    if (r.status == 401) {
      view.lock(EXPIRED);
      onExpired();
    } else view.setError(errorLine(r, agent));
  };

  /** Render the stored conversation's history; a conversation the hub no longer knows is forgotten. */
  async function load(): Promise<void> {
    const id = store.get(key);
    if (!id) return;
    const r = await api.listMessages(id);
    if (r.ok) {
      for (const m of Array.isArray(r.data.data) ? r.data.data : []) {
        if (m && typeof m.text == 'string') view.bubble(m.role == 'visitor' ? 'visitor' : 'agent', m.text);
      }
    } else if (r.status == 404) store.remove(key);
    else fail(r);
  }
  // A message sent while history is loading waits for it, so the log stays in order.
  let loading: Promise<void> | undefined;

  /** Create a conversation if there is none yet and post `text`; one retry if the stored one is gone. */
  async function post(text: string) {
    for (let attempt = 0; ; attempt++) {
      let id = store.get(key);
      if (!id) {
        const c = await api.createConversation();
        if (!c.ok) return c;
        if (typeof c.data.id != 'string') return { ok: false as const, status: 500, type: 'bad_response', message: '' };
        id = c.data.id;
        store.set(key, id);
      }
      const r = await api.postMessage(id, text);
      if (r.ok || r.status != 404 || attempt > 0) return r;
      store.remove(key);
    }
  }

  return {
    load(): Promise<void> {
      return (loading = load().catch(() => {}));
    },
    /** Trim, refuse empty or overlong text, show it at once (optimistic), then the agent's reply. */
    async send(raw: string): Promise<void> {
      const text = raw.trim();
      if (!text) return;
      if (text.length > MAX_MESSAGE_LENGTH) {
        view.setError('Messages can be at most ' + MAX_MESSAGE_LENGTH + ' characters long.');
        return;
      }
      view.setError('');
      view.input.value = '';
      view.setBusy(true);
      try {
        await loading;
        const mine = view.bubble('visitor', text);
        const r = await post(text);
        view.setBusy(false);
        if (r.ok) {
          for (const m of Array.isArray(r.data.data) ? r.data.data : []) {
            if (m && m.role == 'agent' && typeof m.text == 'string') view.bubble('agent', m.text);
          }
          return;
        }
        // agent_unavailable: the hub kept the visitor's message, so it stays. Otherwise it was not
        // stored: take it out of the log and back into the composer to try again.
        if (r.type != 'agent_unavailable') {
          view.remove(mine);
          view.restoreDraft(text);
        }
        fail(r);
      } catch {
        view.setBusy(false);
      }
    },
  };
}
