/**
 * The console's entry: sign in, then the shell (header, navigation, one page at a time, by the URL's
 * hash). The secret key lives in the sign-in form's input only until it is sent: the input is cleared
 * at once, and nothing is written to any storage; the hub answers with an HttpOnly cookie.
 */
import type { ConsoleSession } from '../protocol/api.js';
import { CONSOLE_SESSION_PATH } from '../protocol/console.js';
import { agentsPage } from './agents.js';
import { ApiError, createApi } from './api.js';
import { conversationsPage } from './conversations.js';
import { fill, h } from './dom.js';
import { keysPage } from './keys.js';
import type { Page, PageContext } from './page.js';

// A request still in flight when the owner signed out answers 401 later: the sign-in form already
// shows, and drawing it again would replace its notice and wipe what the owner has begun to type.
const api = createApi(() => {
  if (api.session) signIn('Your session has ended. Sign in again.');
});

const PAGES: { path: string; label: string; page: Page }[] = [
  { path: 'keys', label: 'Widget keys', page: keysPage },
  { path: 'agents', label: 'Agents', page: agentsPage },
  { path: 'conversations', label: 'Conversations', page: conversationsPage },
];

function signIn(notice?: string): void {
  api.session = null;
  currentRoute = null;
  const input = h('input', { id: 'secret-key', type: 'password', name: 'secret-key', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'signin-help signin-msg' });
  const message = h('p', { class: 'msg', id: 'signin-msg', role: 'alert' }, notice ?? '');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Kataven console'),
    h('label', { for: 'secret-key' }, 'Secret key'),
    h('p', { class: 'hint', id: 'signin-help' }, 'The account\'s sk_live_… key, from kataven accounts create. It is exchanged for a session of 8 hours and not kept by this browser.'),
    input,
    button,
    message,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const secret = input.value.trim();
    // The key leaves the page's DOM before the request is even made.
    input.value = '';
    button.disabled = true;
    try {
      api.session = await api.send<ConsoleSession>('POST', CONSOLE_SESSION_PATH, { secret_key: secret });
      shell();
    } catch (err) {
      message.textContent = (err as Error).message;
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  fill(document.body, h('main', { id: 'main' }, form));
  input.focus();
}

function shell(): void {
  const session = api.session!;
  const main = h('main', { id: 'main', tabindex: '-1' });
  const status = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite' });
  // A link to the page already shown changes no hash, so no hashchange: it draws the page again (the
  // keys page's create form comes back after a key was created).
  const links = PAGES.map((p) => h('a', { href: `#/${p.path}`, onclick: (e: Event) => {
    if ((e.currentTarget as HTMLAnchorElement).hash === location.hash) route();
  } }, p.label));
  const signOut = h('button', { type: 'button', onclick: async () => {
    try {
      await api.send('DELETE', CONSOLE_SESSION_PATH);
      history.replaceState(null, '', location.pathname);
      signIn('You are signed out.');
    } catch (err) {
      status.textContent = (err as Error).message;
    }
  } }, 'Sign out');
  fill(
    document.body,
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('header', { class: 'top' },
      h('span', { class: 'brand' }, 'Kataven console'),
      h('nav', { 'aria-label': 'Console' }, ...links),
      h('span', { class: 'who' }, session.account.name),
      signOut),
    main,
    status,
  );
  const ctx: PageContext = {
    api,
    main,
    notify: (text) => {
      status.textContent = '';
      // A fresh text node each time, so a repeated message is announced again.
      requestAnimationFrame(() => (status.textContent = text));
    },
  };
  const route = () => {
    const [path = 'keys', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
    const page = PAGES.find((p) => p.path === path) ?? PAGES[0]!;
    links.forEach((a, i) => (PAGES[i] === page ? a.setAttribute('aria-current', 'page') : a.removeAttribute('aria-current')));
    // Each visit draws into a container of its own: a page still loading when the owner moves on fills
    // a container no longer shown, never the next page.
    const view = h('div', { class: 'view' });
    main.replaceChildren(view);
    page.page({ ...ctx, main: view }, rest.map(decodeURIComponent)).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) return;
      fill(view, h('h1', {}, page.label), h('p', { class: 'msg error', role: 'alert' }, (err as Error).message));
    });
  };
  currentRoute = route;
  route();
}

/** The signed-in shell's router; null while signed out. One listener for the page's life. */
let currentRoute: (() => void) | null = null;
window.addEventListener('hashchange', () => currentRoute?.());

api.get<ConsoleSession>(CONSOLE_SESSION_PATH).then(
  (session) => {
    api.session = session;
    shell();
  },
  () => signIn(),
);
