/**
 * The conversation: created on the visitor's first message, its id kept in the frame's storage so it
 * survives a reload. Its history comes from `GET …/messages` (a reply still streaming with its text so
 * far), everything after from the events stream (events.ts), resumed where the history ended. Nothing
 * here throws or rejects: every failure becomes a mark on a bubble or a line in the panel.
 *
 * Messages are keyed by their hub id, so a replayed or repeated event changes what is on screen at most
 * once. A visitor message gets its id when its post answers, or earlier when the stream brings it first
 * (matched by text among this tab's messages still without an id). Each carries a random
 * `client_message_id`, so a retried post is answered with the first message and never stored twice,
 * and the Retry of a failed reply sends it again to ask the agent once more.
 */
import type { AgentFailureType, ConversationEvent } from '../protocol/conversation-events.js';
import type { AgentPublic } from '../protocol/handshake.js';
import type { EventMessage } from '../protocol/messages.js';
import { MAX_MESSAGE_LENGTH, WIDGET_API, type ChatMessage, type MessageStatus } from '../protocol/widget-api.js';
import type { Api, Auth, Result } from './api.js';
import { readEvents, type Backoff, type ReaderHandlers } from './events.js';
import type { Bubble } from './log.js';
import type { Store } from './storage.js';
import type { Strings } from './strings.js';
import type { View } from './view.js';

/** Storage key of the conversation id: one conversation per widget key (and, by partitioning, per site). */
export const conversationKey = (keyId: string) => 'kataven:conversation:' + keyId;

/**
 * The typing dots stop after this long without a word from the agent. The hub ends them with an empty
 * `agent.status` when the agent answered `202` (it may write back hours later), but that event is not
 * replayed: a reader that reconnected past it would show dots that never stop.
 */
export const TYPING_MS = 60_000;

/**
 * The hub's refusals of the key or the site (revoked, or the site taken off the allowlist since the page
 * loaded): the chat cannot go on here. By prefix, so the frame bundles no list of types; a test holds it
 * to the hub's list (HANDSHAKE_DENIAL_TYPES).
 */
export const refusedHere = (type: string) => /^(key_|origin_|test_key_)/.test(type);

/**
 * The line a visitor reads when a call fails, in their language: the hub's own message is English, and
 * written for the site's developer.
 */
export function errorLine(r: Extract<Result<unknown>, { ok: false }>, t: Strings): string {
  if (r.type == 'rate_limited' || r.status == 429) return t.rateLimited;
  // A required sign-in missing or expired: the hub's words are for the site's developer.
  if (r.type.startsWith('identity_')) return t.signIn;
  if (r.type == 'session_invalid' || r.status == 401) return t.expired;
  if (r.type == 'timeout') return t.timeout;
  if (r.status == 0) return t.offline;
  return t.httpError(r.status);
}

export interface ChatDeps {
  api: Api;
  /** For the events stream, which `api` does not read (it is not one JSON answer). */
  fetch: typeof fetch;
  auth: Auth;
  store: Store;
  /** The widget key id (`k` of the frame URL). */
  keyId: string;
  agent: AgentPublic;
  view: View;
  /** The frame's language table. */
  t: Strings;
  /** A random UUID per visitor message (its `client_message_id`). */
  uuid(): string;
  /** Tell the page an agent's or a person's message is complete (the loader's `message` event). */
  notify(m: EventMessage): void;
  /** The session is over: stop refreshing it. */
  onExpired(): void;
  backoff?: Backoff;
}

interface Entry {
  id?: string;
  role: ChatMessage['role'];
  text: string;
  status: MessageStatus;
  bubble: Bubble;
  /** Visitor messages of this tab: the id their post (and every retry of it) carries. */
  clientId?: string;
  /** Told to the page and to screen readers (or, history, known already). */
  told?: boolean;
  /** A person's name, when a person wrote it. */
  author?: string | null;
}

const isMessage = (m: any): m is ChatMessage =>
  !!m && typeof m.id == 'string' && typeof m.text == 'string' && (m.role == 'visitor' || m.role == 'agent' || m.role == 'person');

export function createChat(d: ChatDeps) {
  const { api, store, view, agent, t } = d;
  const key = conversationKey(d.keyId);
  const known = new Map<string, Entry>();
  const bubbles = new WeakMap<Element, Entry>();
  /** This tab's visitor messages without a hub id yet, oldest first. */
  const unconfirmed: Entry[] = [];
  let stream: { stop(): void } | undefined;
  let context: Record<string, unknown> | null = null;
  let unread = 0;
  let statusText = '';
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let typing = false;
  let ended = false;
  /** The person who took the conversation over from the agent (the hub says so on the stream); null: the agent answers. */
  let person: string | null = null;

  /** Who answers: shown under the title, and it keeps "is typing" away while it is a person. */
  const answeredBy = (now: string | null) => {
    person = now;
    view.answeredBy(now);
  };
  const showStatus = () => view.status(statusText, typing);
  // "Ada is typing" is a promise the agent keeps: while a person has the conversation, the agent is not called.
  const setTyping = (on: boolean) => {
    typing = on && !person;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(() => setTyping(false), TYPING_MS);
    showStatus();
  };

  const end = (text: string) => {
    ended = true;
    stream?.stop();
    setTyping(false);
    view.lock(text);
    d.onExpired();
  };
  const forget = () => {
    stream?.stop();
    stream = undefined;
    store.remove(key);
    answeredBy(null);
  };

  /** A completed agent or person message, live: the page hears of it, and so do screen readers (once). */
  function tell(e: Entry) {
    // Stryker disable next-line ConditionalExpression,StringLiteral: upsert never tells a visitor message; the guard is for a caller that would
    if (e.role == 'visitor' || e.told) return;
    e.told = true;
    d.notify({ v: 1, type: 'event', name: 'message', detail: { role: e.role, text: e.text } });
    if (view.isOpen()) view.announce(t.said(e.author || agent.name) + e.bubble.plain());
    else {
      view.setUnread(++unread);
      view.announce(t.unreadAnnounce(agent.name, unread));
    }
  }

  /** The visitor message a reply answers: the nearest visitor bubble above it. */
  function question(e: Entry): Entry | undefined {
    for (let el = e.bubble.el.previousElementSibling; el; el = el.previousElementSibling) {
      const q = bubbles.get(el);
      if (q && q.role == 'visitor') return q;
    }
  }

  function markFailed(e: Entry, note: string) {
    const q = question(e);
    e.bubble.fail(note, q ? () => (e.bubble.fail(note), void ask(q)) : undefined);
  }

  /**
   * Asks the agent again about `q`, whose reply failed: its post once more, with the same
   * client_message_id, which the hub answers with a new turn (202) and no second copy of the message.
   * A message of the history has no id this tab knows: it is asked again in a new message of its words.
   */
  const ask = (q: Entry) => (q.clientId ? enqueue(q) : send(q.text));

  /**
   * Puts `m` on screen, or brings its bubble up to date. `live`: it happened now (not history). `failure`:
   * why a failed reply failed, as the hub types it (a reply of the history comes without one).
   */
  function upsert(m: ChatMessage, live: boolean, failure?: AgentFailureType) {
    const status = m.status || 'completed';
    let e = known.get(m.id);
    if (!e && m.role == 'visitor') {
      const i = unconfirmed.findIndex((u) => u.text == m.text);
      if (i >= 0) {
        e = unconfirmed.splice(i, 1)[0]!;
        e.id = m.id;
        known.set(m.id, e);
        e.bubble.fail(null);
        return live && setTyping(true);
      }
    }
    if (!e) {
      e = { id: m.id, role: m.role, text: m.text, status, bubble: view.log.add(m.role, m.text, status, m.author_name, m.created_at), told: !live, author: m.author_name };
      known.set(m.id, e);
      bubbles.set(e.bubble.el, e);
    } else if (e.text != m.text || e.status != status) {
      e.text = m.text;
      e.status = status;
      e.bubble.set(m.text, status);
    }
    // Another tab's message: the agent is on it. An agent's message: it has started, or said its piece.
    if (m.role == 'visitor') return live && setTyping(true);
    if (status != 'streaming') statusText = '';
    setTyping(false);
    if (status == 'failed') markFailed(e, (failure == 'agent_timeout' ? t.replyTimeout : failure == 'agent_too_long' ? t.replyCutShort : t.replyFailed)(agent.name));
    if (status == 'completed') tell(e);
  }

  function apply(ev: ConversationEvent) {
    if (ev.event == 'message.delta') {
      const e = known.get(ev.data.message_id);
      // A delta for a reply we have no copy of cannot be placed; its completion brings the whole text.
      if (!e || typeof ev.data.text != 'string') return;
      e.text += ev.data.text;
      e.status = 'streaming';
      e.bubble.set(e.text, 'streaming');
    } else if (ev.event == 'agent.status') {
      statusText = typeof ev.data.text == 'string' ? ev.data.text : '';
      // Empty: nobody is writing now (the agent answered 202 and writes back later, or said its piece).
      if (statusText) showStatus();
      else setTyping(false);
    } else if (ev.event == 'conversation.updated') {
      const now = typeof ev.data.taken_over_by == 'string' && ev.data.taken_over_by ? ev.data.taken_over_by : null;
      if (now == person) return;
      answeredBy(now);
      if (now) setTyping(false);
      // The panel closed: the line under the title says it when it opens.
      if (view.isOpen()) view.announce(t.chattingWith(now || agent.name));
    } else if (ev.event == 'message.failed') {
      if (isMessage(ev.data.message)) upsert({ ...ev.data.message, status: 'failed' }, true, ev.data.error?.type);
    } else if (ev.event == 'message.created' || ev.event == 'message.completed') {
      if (isMessage(ev.data.message)) upsert(ev.data.message, true);
    }
  }

  const onEnd: ReaderHandlers['onEnd'] = (reason) => {
    if (reason == 'conversation_not_found') forget();
    else end(reason == 'session_invalid' || reason == 'session_expired' ? t.expired : t.unavailable);
  };
  const listen = (id: string, from?: string) => {
    stream?.stop();
    stream = readEvents(d.fetch, d.auth, WIDGET_API.events(id), from, { onEvent: apply, onEnd }, d.backoff);
  };

  /** The stored conversation's history, then its stream from where the history ends. */
  async function load(): Promise<void> {
    const id = store.get(key);
    if (!id) return;
    const r = await api.listMessages(id);
    if (r.ok) {
      // Stryker disable next-line ArrayDeclaration: what stands in for a list that is not one is checked like any entry
      for (const m of Array.isArray(r.data.data) ? r.data.data : []) if (isMessage(m)) upsert(m, false);
      const last = r.data.last_event_id;
      listen(id, typeof last == 'string' ? last : undefined);
    } else if (r.status == 404) store.remove(key);
    else if (r.status == 401) end(t.expired);
    // Without the list, the stream from its beginning brings the whole conversation.
    else listen(id);
  }
  const loading = load().catch(() => {});

  /** Create a conversation if there is none yet and post `e`; one retry if the stored one is gone. */
  async function post(e: Entry) {
    for (let attempt = 0; ; attempt++) {
      let id = store.get(key);
      if (!id) {
        const c = await api.createConversation();
        if (!c.ok) return c;
        // Stryker disable next-line StringLiteral: errorLine shows a 500 without words by its status, whatever the type
        if (typeof c.data.id != 'string') return { ok: false as const, status: 500, type: 'bad_response', message: '' };
        id = c.data.id;
        store.set(key, id);
        listen(id);
      }
      const r = await api.postMessage(id, { text: e.text, client_message_id: e.clientId, ...(context && { context }) });
      if (r.ok || r.status != 404 || attempt > 0) return r;
      forget();
    }
  }

  /** Posts in the order they were written, one at a time: the hub keeps them in arrival order. */
  let queue: Promise<void> = loading;

  /**
   * Shows conversation `id` instead (null: none until the next message): the visitor changed, by a
   * sign-in (their latest conversation) or a logout (nothing: the next visitor here sees none of it).
   * After what is queued, so that a message being posted lands where it was written.
   */
  function switchTo(id: string | null): Promise<void> {
    return (queue = queue.then(() => {
      if (id && id == store.get(key)) return;
      stream?.stop();
      stream = undefined;
      known.clear();
      unconfirmed.length = 0;
      // The next visitor's conversation says who answers it when its stream starts.
      answeredBy(null);
      setTyping(false);
      if (id) store.set(key, id);
      else store.remove(key);
      view.clearLog();
      return load();
    }).catch(() => {}));
  }
  const enqueue = (e: Entry) => (queue = queue.then(() => deliver(e)).catch(() => {}));

  async function deliver(e: Entry) {
    if (ended) return;
    e.bubble.fail(null);
    const r = await post(e);
    if (!r.ok) {
      if (r.status == 401) return end(t.expired);
      if (refusedHere(r.type)) return end(t.unavailable);
      // Stored or not, a retry with the same client_message_id leaves one message on the hub.
      return e.bubble.fail(t.notSent + ' ' + errorLine(r, t), () => void enqueue(e));
    }
    const m = r.data.message;
    if (!isMessage(m)) return;
    const i = unconfirmed.indexOf(e);
    if (i >= 0) unconfirmed.splice(i, 1);
    const shown = known.get(m.id);
    // The stream brought this message first and it landed on another bubble (two alike): keep one.
    if (shown && shown != e) e.bubble.el.remove();
    else {
      e.id = m.id;
      known.set(m.id, e);
    }
    // 202: a new message, or a failed reply asked again: the agent's turn is coming. 200: a repeat of one
    // the hub had; its reply is under way or done.
    if (r.status == 202) setTyping(true);
  }

  /** Trim, refuse empty or overlong text, show it at once, then post it. */
  function send(raw: string): Promise<void> {
    const text = raw.trim();
    if (!text) return Promise.resolve();
    if (text.length > MAX_MESSAGE_LENGTH) {
      view.setError(t.tooLong(MAX_MESSAGE_LENGTH));
      return Promise.resolve();
    }
    view.setError('');
    view.input.value = '';
    const e: Entry = { role: 'visitor', text, status: 'completed', bubble: view.log.add('visitor', text), clientId: d.uuid() };
    bubbles.set(e.bubble.el, e);
    unconfirmed.push(e);
    return enqueue(e);
  }

  return {
    /** Settles once the history is on screen (tests wait on it). */
    loaded: loading,
    send,
    switchTo,
    /** The conversation kept in this browser, if any. */
    current: () => store.get(key),
    /** The latest `Kataven('context', …)`, already made fit (context.ts). */
    setContext(c: Record<string, unknown> | null) {
      context = c;
    },
    /** The panel opened: what was unread is read. */
    opened() {
      unread = 0;
      view.setUnread(0);
    },
    stop() {
      stream?.stop();
      clearTimeout(typingTimer);
    },
  };
}
