/**
 * The frame's side of verified visitors (docs/identity.md): the page's `identify` token goes to the hub,
 * whose answer is a session bound to that visitor and the visitor's conversations (the latest is shown);
 * `logout` takes an anonymous session back and forgets the conversation in this browser. A refusal is
 * never silent: the page's `error` event and one `[kataven]` console line name the check, and a key that
 * requires sign-in says so to the visitor. `identity_expired` asks the page to renew before the token
 * runs out. Calls run one at a time, in the order the page gave them.
 */
import { IDENTITY_RENEW_BEFORE_MS, type IdentityMode } from '../protocol/identity.js';
import type { EventMessage } from '../protocol/messages.js';
import type { Api, Auth } from './api.js';
import type { createChat } from './chat.js';
import type { Strings } from './strings.js';
import type { View } from './view.js';

export interface IdentityDeps {
  api: Api;
  auth: Auth;
  chat: Pick<ReturnType<typeof createChat>, 'switchTo' | 'current'>;
  view: Pick<View, 'gate'>;
  mode: IdentityMode;
  /** The visitor's language table. */
  t: Strings;
  /** An event for the page's handlers. */
  notify(m: EventMessage): void;
  /** The site developer's console. */
  warn(text: string): void;
}

export function createIdentity(d: IdentityDeps) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let given = false;
  let steps: Promise<unknown> = Promise.resolve();
  const inOrder = (step: () => Promise<void>) => (steps = steps.then(step).catch(() => {}));
  const signInGate = () => d.view.gate(d.mode == 'required' ? d.t.signIn : null);

  const refuse = (type: string, message: string) => {
    d.notify({ v: 1, type: 'event', name: 'error', detail: { type: type as never, message } });
    d.warn('[kataven] visitor not verified: ' + message + ' (' + type + ')');
    signInGate();
  };

  /** Tell the page a minute before `expiresAt` (halfway, for a shorter token). */
  const renewBefore = (expiresAt: string) => {
    clearTimeout(timer);
    const left = Date.parse(expiresAt) - Date.now();
    if (isNaN(left)) return;
    const detail = { expires_at: expiresAt };
    timer = setTimeout(() => d.notify({ v: 1, type: 'event', name: 'identity_expired', detail }), left > 2 * IDENTITY_RENEW_BEFORE_MS ? left - IDENTITY_RENEW_BEFORE_MS : left / 2);
  };

  const identify = (token: unknown) => {
    given = true;
    return inOrder(async () => {
      if (typeof token != 'string' || !token) return refuse('identity_missing', "Kataven('identify', token) needs the visitor token your backend signed, a string");
      const adoptable = d.chat.current();
      const r = await d.api.identify({ token, ...(adoptable ? { conversation_id: adoptable } : {}) });
      if (!r.ok) return refuse(r.type, r.message || 'the hub refused the visitor token (HTTP ' + r.status + ')');
      d.auth.token = r.data.session_token;
      d.view.gate(null);
      renewBefore(r.data.identity_expires_at);
      const theirs = Array.isArray(r.data.conversations) ? r.data.conversations : [];
      // The conversation this browser held is now theirs (adopted): it stays. Otherwise their latest.
      if (!theirs.some((c) => c.id == adoptable)) await d.chat.switchTo(theirs[0]?.id ?? null);
    });
  };

  const logout = () =>
    inOrder(async () => {
      clearTimeout(timer);
      const r = await d.api.logout();
      if (r.ok) d.auth.token = r.data.session_token;
      // Forgotten even if the hub could not be reached: the next visitor on this browser sees nothing.
      await d.chat.switchTo(null);
      signInGate();
    });

  // Until a token proves otherwise, a visitor of a key that requires sign-in cannot write.
  signInGate();
  return {
    identify,
    logout,
    /** At `ready`: a key that requires sign-in and no token given yet is said once, to the page and the visitor. */
    ready() {
      if (d.mode == 'required' && !given) refuse('identity_missing', 'this widget key requires signed-in visitors: call Kataven(\'identify\', token) with a token your backend signed (docs/identity.md)');
    },
    stop: () => clearTimeout(timer),
  };
}
