/** Conversations: the list, newest first; one conversation to read, take over from the agent, answer as a person, or erase. */
import type { ConversationList, ConversationMessage, ConversationWithMessages } from '../protocol/api.js';
import { ApiError, seg } from './api.js';
import { confirmDialog, field, h, when } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';

export const conversationsPage: Page = async (ctx, [id]) => (id ? conversationPage(ctx, id) : listPage(ctx));

async function listPage(ctx: PageContext): Promise<void> {
  heading(ctx, 'Conversations');
  const list = (await ctx.api.get<ConversationList>('/api/v1/conversations?limit=100')).data;
  if (!list.length) return void ctx.main.append(h('p', {}, 'No conversations yet. They appear here once a visitor writes in a widget.'));
  ctx.main.append(
    h('table', {},
      h('caption', { class: 'sr' }, 'Conversations, newest first'),
      h('thead', {}, h('tr', {}, ...['Started', 'Site', 'Mode', 'Messages', 'Last message', 'Answered by'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...list.map((c) =>
        h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/conversations/${seg(c.id)}` }, when(c.created_at))),
          h('td', {}, c.origin),
          h('td', {}, c.mode === 'test' ? h('span', { class: 'tag test' }, 'test') : 'live'),
          h('td', {}, String(c.message_count)),
          h('td', {}, when(c.last_message_at)),
          h('td', {}, c.taken_over_by ?? 'the agent'))))),
  );
}

/** How often an open conversation is read again, so a person who took over sees the visitor write. */
const CONVERSATION_REFRESH_MS = 2_000;

const who = (m: ConversationMessage) => (m.role === 'visitor' ? 'Visitor' : m.role === 'person' ? (m.author_name ?? 'Person') : 'Agent');

async function conversationPage(ctx: PageContext, id: string): Promise<void> {
  const c = await ctx.api.get<ConversationWithMessages>(`/api/v1/conversations/${seg(id)}`);
  heading(ctx, `Conversation on ${c.origin}`);
  // Someone else may take over or hand back (another tab, the CLI, the owner's own agent): the card
  // follows what the hub says, so nobody replaces a colleague who already answers without seeing it.
  let shownPerson = c.taken_over_by;
  const log = liveLog(ctx, id, c.messages, (latest) => {
    if (latest.taken_over_by === shownPerson) return;
    shownPerson = latest.taken_over_by;
    const next = takeoverCard(ctx, id, shownPerson, () => conversationPage(ctx, id));
    takeover.replaceWith(next);
    takeover = next;
    ctx.notify(shownPerson === null ? 'Handed back: the agent answers again.' : `${shownPerson} answers now.`);
  });
  const author = field('Your name', h('input', { type: 'text', required: true, maxlength: 100, autocomplete: 'name', value: c.taken_over_by ?? '' }), 'The visitor sees it beside your reply.');
  const text = field('Reply', h('textarea', { rows: 3, required: true }));
  const error = h('p', { class: 'msg error', role: 'alert' });
  const reply = h('form', { class: 'card', 'aria-labelledby': 'reply' }, h('h2', { id: 'reply' }, 'Reply as a person'), author.row, text.row, h('button', { type: 'submit', class: 'primary' }, 'Send reply'), error);
  reply.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      await ctx.api.send('POST', `/api/v1/conversations/${seg(id)}/messages`, { text: text.control.value, author_name: author.control.value });
      ctx.main.replaceChildren();
      await conversationPage(ctx, id);
      ctx.notify('Reply sent.');
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  });
  let takeover = takeoverCard(ctx, id, c.taken_over_by, () => conversationPage(ctx, id));
  const del = h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (!(await confirmDialog('Delete this conversation?', [h('p', {}, 'The conversation and every message are erased for good. The visitor\'s widget starts a new one.')], 'Delete for good', true))) return;
    try {
      await ctx.api.send('DELETE', `/api/v1/conversations/${seg(id)}`);
      location.hash = '#/conversations';
      ctx.notify('Conversation deleted.');
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  } }, 'Delete conversation');
  ctx.main.append(
    h('p', {}, h('a', { href: '#/conversations' }, 'All conversations')),
    h('dl', { class: 'facts' }, h('dt', {}, 'Started'), h('dd', {}, when(c.created_at)), h('dt', {}, 'Widget key'), h('dd', {}, h('a', { href: `#/keys/${seg(c.widget_key_id)}` }, h('code', {}, c.widget_key_id)))),
    log, takeover, reply, h('section', { class: 'card', 'aria-labelledby': 'erase' }, h('h2', { id: 'erase' }, 'Delete'), del));
}

/**
 * Who answers the visitor: the agent, with a form to take over by name (the agent is then not called),
 * or the person who took over, with a button to hand back. The visitor's widget says who answers.
 */
function takeoverCard(ctx: PageContext, id: string, person: string | null, reload: () => Promise<void>): HTMLElement {
  const error = h('p', { class: 'msg error', role: 'alert' });
  const set = async (taken_over_by: string | null) => {
    error.textContent = '';
    let done: string;
    try {
      // On condition that who answers is still who this card shows: of two people pressing at once, one
      // gets it, and the other is told instead of replacing them unseen.
      await ctx.api.send('PATCH', `/api/v1/conversations/${seg(id)}`, { taken_over_by, if_taken_over_by: person });
      done = taken_over_by === null ? 'Handed back: the agent answers the next message.' : `${taken_over_by.trim()} answers now: the agent is not called.`;
    } catch (err) {
      if (!(err instanceof ApiError && err.type === 'takeover_conflict')) {
        error.textContent = (err as Error).message;
        return;
      }
      done = 'Nothing changed: someone else changed who answers just before you. "Who answers" shows it now.';
    }
    // The page again, as the hub has it now.
    ctx.main.replaceChildren();
    try {
      await reload();
      ctx.notify(done);
    } catch (err) {
      ctx.main.append(h('p', { class: 'msg error', role: 'alert' }, (err as Error).message));
    }
  };
  const title = h('h2', { id: 'takeover' }, 'Who answers');
  if (person !== null) {
    return h('section', { class: 'card', 'aria-labelledby': 'takeover' }, title,
      h('p', {}, `${person} answers: the agent is not called for the visitor's messages, and the visitor's widget says who they are chatting with.`),
      h('button', { type: 'button', onclick: () => set(null) }, 'Hand back to the agent'), error);
  }
  const name = field('Name shown to the visitor', h('input', { type: 'text', required: true, maxlength: 100, autocomplete: 'name' }), 'The visitor reads "You\'re chatting with" and this name.');
  const form = h('form', { class: 'card', 'aria-labelledby': 'takeover' }, title,
    h('p', {}, 'The agent answers each message the visitor sends. Take over to answer yourself: the agent stops until you hand back.'),
    name.row, h('button', { type: 'submit' }, 'Take over'), error);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void set(name.control.value);
  });
  return form;
}

/** One message of the log; shown as text: the owner reads exactly what was written, markdown marks included. */
const messageItem = (m: ConversationMessage) =>
  h('li', { class: `m ${m.role}` },
    h('p', { class: 'meta' }, h('strong', {}, who(m)), ` · ${when(m.created_at)}`, m.status === 'failed' ? ` · failed${m.failure_type ? ` (${m.failure_type})` : ''}` : m.status === 'streaming' ? ' · still being written' : ''),
    h('p', { class: 'text' }, m.text));

/**
 * The messages, read again every CONVERSATION_REFRESH_MS while the list is on the page: a new message is
 * appended (a polite live region: a screen reader hears the new ones, not the list again), one that
 * changed (a reply that was still being written) is replaced where it is; `onRead` gets the rest of what
 * was read. It stops once the page is left. Not while the tab is hidden, and not while a read is still
 * out: the reads count against the account's Admin API limit, which its production key shares.
 */
function liveLog(ctx: PageContext, id: string, messages: ConversationMessage[], onRead: (latest: ConversationWithMessages) => void): HTMLOListElement {
  const log = h('ol', { class: 'messages', 'aria-label': 'Messages, oldest first', 'aria-live': 'polite' }, ...messages.map(messageItem));
  const shown = new Map(messages.map((m, i) => [m.id, { m, li: log.children[i] as HTMLElement }]));
  let reading = false;
  const timer = setInterval(async () => {
    if (!log.isConnected) return clearInterval(timer);
    if (document.hidden || reading) return;
    let latest: ConversationWithMessages;
    reading = true;
    try {
      latest = await ctx.api.get<ConversationWithMessages>(`/api/v1/conversations/${seg(id)}`);
    } catch {
      // Erased, signed out, or the hub away for a moment: the page says so at its next action.
      return;
    } finally {
      reading = false;
    }
    if (!log.isConnected) return;
    onRead(latest);
    for (const m of latest.messages) {
      const old = shown.get(m.id);
      if (old && old.m.text === m.text && old.m.status === m.status) continue;
      const li = messageItem(m);
      if (old) old.li.replaceWith(li);
      else log.append(li);
      shown.set(m.id, { m, li });
    }
  }, CONVERSATION_REFRESH_MS);
  return log;
}
