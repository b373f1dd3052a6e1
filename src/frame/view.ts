/**
 * The widget's DOM: launcher button and chat panel, built with createElement and textContent only. The
 * frame's CSP (`default-src 'none'`, styles from 'self') refuses inline style attributes, and agent
 * names, greetings and messages come from customers and visitors: none of it is ever parsed as HTML
 * (the log, log.ts, renders agent messages through the markdown subset of `markdown.ts`, which builds
 * nodes too). Words come from strings.ts.
 */
import { DEFAULT_ACCENT_COLOR, type AgentPublic } from '../protocol/handshake.js';
import { MAX_MESSAGE_LENGTH } from '../protocol/widget-api.js';
import { createLog } from './log.js';
import { EN } from './strings.js';

const SVG = 'http://www.w3.org/2000/svg';

export interface ViewHandlers {
  /** The visitor asked to open (launcher) or close (close button, Escape) the panel. */
  onToggle(open: boolean): void;
  /** The visitor submitted the composer (raw text, untrimmed). */
  onSubmit(text: string): void;
}

export type View = ReturnType<typeof createView>;

/** `#rgb` or `#rrggbb` (what the hub stores), else the default: a bad value must not hide the launcher. */
export function accentColor(c: string): string {
  return /^#([0-9a-f]{3}){1,2}$/i.test(c) ? c : DEFAULT_ACCENT_COLOR;
}

/** Text colour on the accent: dark on light accents, white otherwise (WCAG relative luminance). */
export function inkOn(hex: string): string {
  let h = hex.slice(1);
  if (h.length == 3) h = h.replace(/./g, '$&$&');
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.3 ? '#111' : '#fff';
}

/** `test`: the page uses a test key (pk_test_); the header says so, so nobody ships one by mistake. */
export function createView(doc: Document, agent: AgentPublic, on: ViewHandlers, nextFrame: (cb: () => void) => void, t = EN, test = false) {
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string, parent?: Element) => {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  };
  const icon = (d: string, parent: Element) => {
    const svg = doc.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = doc.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
    parent.appendChild(svg);
  };
  const name = agent.name;
  const accent = accentColor(agent.accent_color);

  const root = el('div', 'kv');
  // CSSOM custom properties: not subject to CSP, unlike a style attribute string.
  root.style.setProperty('--accent', accent);
  root.style.setProperty('--ink', inkOn(accent));

  const launcher = el('button', 'kv-launch', '', root);
  launcher.type = 'button';
  launcher.setAttribute('aria-label', t.openChat(name));
  icon('M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z', launcher);
  // The count is in the launcher's label; the badge is for the eye only.
  const badge = el('span', 'kv-badge', '', launcher);
  badge.setAttribute('aria-hidden', 'true');
  badge.hidden = true;

  // The one place screen readers are told of news: a completed reply (panel open) or the unread count
  // (panel closed). Outside the panel, so it is heard while the panel is hidden.
  const live = el('div', 'kv-sr', '', root);
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');

  const panel = el('section', 'kv-panel', '', root);
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-labelledby', 'kv-title');
  const header = el('header', 'kv-head', '', panel);
  const title = el('h1', '', name, header);
  title.id = 'kv-title';
  // Inside the title, so the dialog's accessible name says it too ("Ada Test": the space keeps two words).
  if (test) {
    title.append(' ');
    el('span', 'kv-test', t.testMode, title);
  }
  const closer = el('button', 'kv-close', '', header);
  closer.type = 'button';
  closer.setAttribute('aria-label', t.closeChat);
  icon('M6 6l12 12M18 6L6 18', closer);

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

  let locked = false;

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
      launcher.hidden = open;
      if (focus) (open ? input : launcher).focus();
    },
    setError(text: string) {
      error.textContent = text;
    },
    /** Replies the visitor has not seen: on the launcher (badge and label); 0 clears it. */
    setUnread(n: number) {
      badge.hidden = !n;
      badge.textContent = n > 99 ? '99+' : String(n);
      launcher.setAttribute('aria-label', n ? t.openChatUnread(name, n) : t.openChat(name));
    },
    /** Tell screen readers `text`, once (politely, after what they are reading). */
    announce(text: string) {
      live.textContent = text;
    },
    /** For good: the session is over. The composer stays disabled and `text` says why. */
    lock(text: string) {
      locked = true;
      input.disabled = send.disabled = true;
      error.textContent = text;
    },
  };

  launcher.addEventListener('click', () => on.onToggle(true));
  closer.addEventListener('click', () => on.onToggle(false));
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
    if (!locked) on.onSubmit(input.value);
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
  if (agent.greeting) log.add('agent', agent.greeting);
  return view;
}
