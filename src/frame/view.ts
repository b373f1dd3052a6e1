/**
 * The widget's DOM: launcher button and chat panel, built with createElement and textContent only. The
 * frame's CSP (`default-src 'none'`, styles from 'self') refuses inline style attributes, and agent
 * names, greetings and messages come from customers and visitors: none of it is ever parsed as HTML
 * (the log, log.ts, renders agent messages through the markdown subset of `markdown.ts`, which builds
 * nodes too). Words come from the language table the frame was built with (strings.ts, lang/).
 *
 * The launcher is also the close button: it stays where it was while the panel floats above it, with
 * `aria-expanded` saying which. Full screen (a phone) it is hidden under the panel, whose header has a
 * close button of its own, and the panel is a modal dialog (focus.ts keeps focus in it).
 */
import { paint } from '../protocol/colour.js';
import { DEFAULT_ACCENT_COLOR, type AgentPublic } from '../protocol/handshake.js';
import { MAX_MESSAGE_LENGTH } from '../protocol/widget-api.js';
import { coversPage } from './focus.js';
import { createLog } from './log.js';
import type { Strings } from './strings.js';

const SVG = 'http://www.w3.org/2000/svg';
const CHAT_ICON = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z';
const CLOSE_ICON = 'M6 6l12 12M18 6L6 18';

export interface ViewHandlers {
  /** The visitor asked to open (launcher) or close (launcher, close button, Escape) the panel. */
  onToggle(open: boolean): void;
  /** The visitor submitted the composer (raw text, untrimmed). */
  onSubmit(text: string): void;
}

export type View = ReturnType<typeof createView>;

/** `#rgb` or `#rrggbb` (what the hub stores), else the default: a bad value must not hide the launcher. */
export function accentColor(c: string): string {
  return /^#([0-9a-f]{3}){1,2}$/i.test(c) ? c : DEFAULT_ACCENT_COLOR;
}

/** `test`: the page uses a test key (pk_test_); the header says so, so nobody ships one by mistake. */
export function createView(doc: Document, agent: AgentPublic, on: ViewHandlers, nextFrame: (cb: () => void) => void, t: Strings, side: 'left' | 'right' = 'right', test = false) {
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string, parent?: Element) => {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  };
  const icon = (d: string, parent: Element, cls?: string) => {
    const svg = doc.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    if (cls) svg.setAttribute('class', cls);
    const path = doc.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
    parent.appendChild(svg);
  };
  const name = agent.name;
  const accent = accentColor(agent.accent_color);
  const colours = paint(accent);

  const root = el('div', 'kv kv-' + side);
  // CSSOM custom properties: not subject to CSP, unlike a style attribute string.
  root.style.setProperty('--accent', accent);
  root.style.setProperty('--surface', colours.surface);
  root.style.setProperty('--ink', colours.ink);
  // An accent under 3:1 against a white page: the launcher gets an outline to be seen (WCAG 1.4.11).
  root.classList.toggle('kv-ring', colours.ring);
  const scheme = doc.defaultView?.matchMedia?.('(prefers-color-scheme: dark)');
  const theme = () => root.classList.toggle('kv-dark', agent.theme == 'dark' || (agent.theme != 'light' && !!scheme?.matches));
  theme();
  scheme?.addEventListener?.('change', theme);

  // The one place screen readers are told of news: a completed reply (panel open), the agent's status
  // or the unread count (panel closed). Outside the panel, so it is heard while the panel is hidden.
  const live = el('div', 'kv-sr', '', root);
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');

  const panel = el('section', 'kv-panel', '', root);
  panel.id = 'kv-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-labelledby', 'kv-title');
  const header = el('header', 'kv-head', '', panel);
  // h2: the frame is a part of the host page for the visitor, not a page with a title of its own.
  const names = el('div', 'kv-names', '', header);
  const title = el('h2', '', name, names);
  title.id = 'kv-title';
  // Inside the title, so the dialog's accessible name says it too ("Ada Test": the space keeps two words).
  if (test) {
    title.append(' ');
    el('span', 'kv-test', t.testMode, title);
  }
  // Who answers when a person took over from the agent (chat.ts); hidden while the agent does. It is the
  // dialog's description, so a screen reader says it on opening the panel too, not only when it changes.
  const who = el('p', 'kv-answerer', '', names);
  who.hidden = true;
  who.id = 'kv-answerer';
  panel.setAttribute('aria-describedby', who.id);
  const closer = el('button', 'kv-close', '', header);
  closer.type = 'button';
  closer.setAttribute('aria-label', t.closeChat);
  icon(CLOSE_ICON, closer);

  const log = createLog(doc, panel, t, name, nextFrame);

  const error = el('p', 'kv-err', '', panel);
  error.setAttribute('role', 'alert');

  const form = el('form', 'kv-form', '', panel);
  const label = el('label', 'kv-sr', t.composerLabel(name), form);
  label.htmlFor = 'kv-input';
  const input = el('textarea', '', '', form);
  input.id = 'kv-input';
  input.rows = 2;
  input.maxLength = MAX_MESSAGE_LENGTH;
  input.placeholder = t.placeholder;
  const send = el('button', 'kv-send', t.send, form);
  send.type = 'submit';

  // After the panel: open on a desktop, Tab goes from Send on to it, the close button.
  const launcher = el('button', 'kv-launch', '', root);
  launcher.type = 'button';
  launcher.setAttribute('aria-controls', panel.id);
  launcher.setAttribute('aria-expanded', 'false');
  icon(CHAT_ICON, launcher, 'kv-icon-open');
  icon(CLOSE_ICON, launcher, 'kv-icon-close');
  // The count is in the launcher's label; the badge is for the eye only.
  const badge = el('span', 'kv-badge', '', launcher);
  badge.setAttribute('aria-hidden', 'true');
  badge.hidden = true;

  let locked = false;
  /** The site requires a signed-in visitor and has not (yet) identified one: until it does, no writing. */
  let gated = false;
  let unread = 0;
  /** What the status line last told screen readers: each status is announced once. */
  let told = '';

  const relabel = () =>
    launcher.setAttribute('aria-label', !panel.hidden ? t.closeChat : unread ? t.openChatUnread(name, unread) : t.openChat(name));
  // Modal only while it covers the page: the floating panel leaves the page usable beside it.
  const modal = () => (!panel.hidden && coversPage(doc) ? panel.setAttribute('aria-modal', 'true') : panel.removeAttribute('aria-modal'));
  relabel();

  const view = {
    root,
    launcher,
    panel,
    input,
    send,
    error,
    log,
    isOpen: () => !panel.hidden,
    /** Show or hide the panel. `focus`: move focus into the composer, or back to the launcher. */
    setOpen(open: boolean, focus: boolean) {
      panel.hidden = !open;
      root.classList.toggle('kv-open', open);
      launcher.setAttribute('aria-expanded', String(open));
      relabel();
      modal();
      if (focus) (open ? input : launcher).focus();
    },
    setError(text: string) {
      error.textContent = text;
    },
    /** Replies the visitor has not seen: on the launcher (badge and label); 0 clears it. */
    setUnread(n: number) {
      unread = n;
      badge.hidden = !n;
      badge.textContent = n > 99 ? '99+' : String(n);
      relabel();
    },
    /** Tell screen readers `text`, once (politely, after what they are reading). */
    announce(text: string) {
      live.textContent = text;
    },
    /** Until called with null: the composer is disabled and `text` says why (identity required). */
    gate(text: string | null) {
      if (locked) return;
      gated = text !== null;
      input.disabled = send.disabled = gated;
      error.textContent = text || '';
    },
    /** An empty log but for the greeting: the next conversation starts (after a sign-in or a logout). */
    clearLog() {
      log.clear();
      if (agent.greeting) log.add('agent', agent.greeting);
    },
    /**
     * The status line (log.ts): the agent's own words, else "… is typing" while it works. Each new
     * status is announced once; the same one again, or the line going away, says nothing.
     */
    status(text: string, working: boolean) {
      log.status(text, working);
      const now = text || (working ? t.typing(name) : '');
      if (now && now != told) view.announce(now);
      told = now;
    },
    /** A person answers (their name), or the agent again (null): said under the title. */
    answeredBy(person: string | null) {
      who.hidden = !person;
      who.textContent = person ? t.chattingWith(person) : '';
      // The composer's name says who reads what the visitor writes now.
      label.textContent = t.composerLabel(person || name);
      // A failed reply's Retry asks the agent again, and the hub does not call the agent while a person
      // answers: the button would do nothing, so it is gone until the agent answers again (frame.css).
      // (The Retry of a visitor message that was not sent stays: the person reads it.) Focus on one goes
      // on to the composer, not to <body>.
      panel.classList.toggle('kv-by-person', !!person);
      if (person && doc.activeElement?.matches('.kv-agent .kv-retry')) input.focus();
    },
    /** For good: the session is over. The composer stays disabled and `text` says why. */
    lock(text: string) {
      locked = true;
      input.disabled = send.disabled = true;
      error.textContent = text;
    },
  };

  launcher.addEventListener('click', () => on.onToggle(panel.hidden));
  closer.addEventListener('click', () => on.onToggle(false));
  // The loader resizes the iframe after `state`: whether the panel covers the page is known only then.
  doc.defaultView?.addEventListener('resize', modal);
  // The pill vanishes once pressed: focus goes on to the composer rather than to <body>.
  log.pill.addEventListener('click', () => input.focus());
  doc.addEventListener('keydown', (e) => {
    if (e.key == 'Escape' && !panel.hidden) {
      e.preventDefault();
      on.onToggle(false);
    }
  });
  // The composer stays usable while a reply streams: a message sent meanwhile waits on the hub for its turn.
  const submit = () => {
    if (!locked && !gated) on.onSubmit(input.value);
  };
  form.addEventListener('submit', (e) => {
    // Never a navigation: the CSP has form-action 'none' anyway.
    e.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter is a newline; Enter that confirms an IME composition is neither.
    if (e.key == 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  if (agent.greeting) log.add('agent', agent.greeting, 'completed', null, null);
  return view;
}
