/**
 * The message log: bubbles, a streaming reply's re-render, the agent's status line, and the scroll
 * rules. Built with createElement and text nodes only (agent and person text through markdown.ts).
 *
 * Streaming: a delta only marks its bubble dirty; dirty bubbles are re-rendered once per animation
 * frame, whole (markdown.ts is a pure function of the text), and the new nodes replace the old in one
 * `replaceChildren`, so the browser never paints a half-built or empty bubble (no flicker), and a burst
 * of fifty deltas costs one render. A completed message renders at once.
 *
 * Grouping: a message from the same side as the one before it joins its group (`kv-cont`: a smaller gap,
 * and only the group's last message shows its time). Times are local, in the frame's language.
 *
 * Scrolling: the log follows new text only while the visitor is at its bottom. Scrolled up to read,
 * nothing moves; a "new messages" button appears over the log instead and scrolls down when pressed.
 */
import type { MessageRole, MessageStatus } from '../protocol/widget-api.js';
import { renderMarkdown } from './markdown.js';
import type { Strings } from './strings.js';

/** Closer to the bottom than this (px) counts as at the bottom: sub-pixel scroll positions and a last line half in view. */
const SLACK = 24;

export interface Bubble {
  readonly el: HTMLElement;
  readonly role: MessageRole;
  /** The message's text on screen, plain (markup rendered away): what screen readers are told. */
  plain(): string;
  /** New text; `streaming` re-renders on the next frame, anything else at once. */
  set(text: string, status: MessageStatus): void;
  /** Marked failed with `note` and, when given, a Retry button; `null` clears the mark. */
  fail(note: string | null, retry?: () => void): void;
}

export function createLog(doc: Document, panel: Element, t: Strings, agentName: string, nextFrame: (cb: () => void) => void) {
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, parent?: Element, text?: string) => {
    const e = doc.createElement(tag);
    e.className = cls;
    if (text) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  };

  const wrap = el('div', 'kv-logwrap', panel);
  const log = el('div', 'kv-log', wrap);
  log.setAttribute('role', 'log');
  // Not live: a streaming reply changes dozens of times, and a live log would read each change out (or,
  // with aria-busy, whatever a screen reader makes of it: support differs). Instead the chat tells the
  // polite region of view.ts once per completed message. The log stays a log for reading at leisure.
  log.setAttribute('aria-live', 'off');
  log.setAttribute('aria-label', t.conversation);
  // Scrollable, so keyboard users must be able to reach it to scroll it (axe scrollable-region-focusable).
  log.tabIndex = 0;
  // The document's lang is the language the hub chose for this frame (hub/widget/frame.ts). Made on
  // first use, not here: this runs before the launcher shows (the greeting has no time), and the first
  // date format of a renderer process loads the locale's ICU data, 44–73 ms in Chromium on the bench's
  // machine, the largest single part of the launcher's time over the floor (docs/performance.md, "The
  // launcher's gap").
  let format: Intl.DateTimeFormat | undefined;
  const clock = () => (format ||= new Intl.DateTimeFormat(doc.documentElement.lang || undefined, { hour: 'numeric', minute: '2-digit' }));
  // The status line lives at the end of the log: a status appearing does not resize the log (no jump).
  const status = el('div', 'kv-status', log);
  status.hidden = true;
  const pill = el('button', 'kv-pill', wrap, t.newMessages);
  pill.type = 'button';
  pill.hidden = true;

  const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight <= SLACK;
  const toBottom = () => {
    log.scrollTop = log.scrollHeight;
    pill.hidden = true;
  };
  /**
   * Runs `change` on the log, then follows it down if the visitor was at the bottom; else, when it
   * brought something new to read (`news`), offers the pill.
   */
  const changing = (change: () => void, follow = atBottom(), news = true) => {
    change();
    if (follow) toBottom();
    else if (news) pill.hidden = false;
  };

  const dirty = new Set<() => void>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const renders = [...dirty];
    dirty.clear();
    if (renders.length) changing(() => renders.forEach((r) => r()));
  };

  /**
   * `at`: when it was written (ISO 8601; absent: now). null shows no time: the greeting is not a
   * message of any moment.
   */
  // Stryker disable next-line StringLiteral: any state but 'streaming' renders at once, as 'completed' does
  function add(role: MessageRole, text: string, state: MessageStatus = 'completed', author?: string | null, at?: string | null): Bubble {
    const b = el('div', 'kv-msg kv-' + role);
    const before = status.previousElementSibling;
    // The visitor on one side, agent and person on the other: a person answers in the agent's place.
    if (before && (before.classList.contains('kv-visitor') == (role == 'visitor'))) b.classList.add('kv-cont');
    // Who said it: for screen readers on agent and visitor messages (the bubble's side says it for
    // everyone else); shown for a person, whose name is news to the visitor.
    const who = role == 'visitor' ? t.you : role == 'person' && author ? author : agentName;
    el('span', role == 'person' ? 'kv-who' : 'kv-sr', b, t.said(who));
    // dir="auto" on the message, not the bubble: the prefix above would decide the direction of a
    // Hebrew or Arabic message by its own first letter. Visitors' text stays text (pre-wrap keeps its lines).
    const body = el('div', 'kv-body' + (role == 'visitor' ? '' : ' kv-md'), b);
    body.dir = 'auto';
    const when = new Date(at ?? Date.now());
    // An unreadable time (not the hub's ISO string) shows none rather than "Invalid Date".
    // Stryker disable next-line UnaryOperator: -when is NaN exactly when +when is
    if (at !== null && !isNaN(+when)) {
      const time = el('time', 'kv-time', b, clock().format(when));
      time.dateTime = when.toISOString();
    }
    let note: HTMLElement | undefined;
    let current = '';
    const render = () => (role == 'visitor' ? (body.textContent = current) : body.replaceChildren(renderMarkdown(doc, current)));
    const bubble: Bubble = {
      el: b,
      role,
      // Stryker disable next-line StringLiteral: an element's textContent is never null; the fallback is for the type
      plain: () => body.textContent || '',
      set(text, s) {
        current = text;
        b.classList.toggle('kv-streaming', s == 'streaming');
        if (s == 'streaming') {
          dirty.add(render);
          if (!scheduled) {
            scheduled = true;
            nextFrame(flush);
          }
        } else {
          dirty.delete(render);
          changing(render);
        }
      },
      fail(text, retry) {
        changing(
          () => {
            note?.remove();
            note = undefined;
            b.classList.toggle('kv-failed', text != null);
            if (text == null) return;
            note = el('p', 'kv-note', b, text);
            if (retry) {
              const button = el('button', 'kv-retry', note, t.retry);
              button.type = 'button';
              button.addEventListener('click', retry);
            }
          },
          atBottom(),
          text != null,
        );
      },
    };
    // A visitor's own message always brings the log down to it.
    changing(() => log.insertBefore(b, status), role == 'visitor' || atBottom());
    bubble.set(text, state);
    return bubble;
  }

  pill.addEventListener('click', toBottom);
  log.addEventListener('scroll', () => {
    if (atBottom()) pill.hidden = true;
  });

  return {
    log,
    pill,
    add,
    /** Every bubble gone: another conversation (or none) is shown next (a sign-in, a logout). */
    clear() {
      while (log.firstChild && log.firstChild != status) log.firstChild.remove();
      pill.hidden = true;
    },
    /** The status line: the agent's own words (`agent.status`), else a typing indicator while `working`. */
    status(text: string, working: boolean) {
      const show = !!text || working;
      changing(
        () => {
          status.hidden = !show;
          status.classList.toggle('kv-typing', !text);
          // The dots (CSS) say nothing a screen reader could use: the words are there for it, unseen.
          if (text) status.textContent = text;
          else status.replaceChildren(el('span', 'kv-sr', undefined, t.typing(agentName)));
        },
        atBottom(),
        show,
      );
    },
  };
}

export type Log = ReturnType<typeof createLog>;
