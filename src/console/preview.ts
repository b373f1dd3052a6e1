/**
 * The live preview (/console/preview, framed by the console only): the real widget view of the frame
 * (src/frame/view.ts), drawn with the agent settings the console is editing, before they are saved.
 * In the language a visitor would get: the agent's `locale`, else (as for a visitor whose browser
 * speaks like the owner's) the owner's browser languages, chosen by the hub's own rule.
 * It talks to nobody: the console posts it each change, and only the console's own window is listened to.
 */
import { TABLES } from '../frame/lang/index.js';
import { createView } from '../frame/view.js';
import { chooseLanguage, directionOf } from '../hub/widget/language.js';
import { PREVIEW_MESSAGE } from '../protocol/console.js';
import type { AgentPublic } from '../protocol/handshake.js';

window.addEventListener('message', (event) => {
  if (event.origin !== location.origin || event.source !== window.parent) return;
  const data = event.data as { type?: unknown; agent?: AgentPublic };
  if (data?.type !== PREVIEW_MESSAGE || !data.agent) return;
  const language = chooseLanguage(data.agent.locale ?? null, navigator.languages.join(','));
  document.documentElement.lang = language;
  document.documentElement.dir = directionOf(language);
  const view = createView(document, data.agent, { onToggle: () => {}, onSubmit: () => {} }, (cb) => requestAnimationFrame(cb), TABLES[language]);
  document.body.replaceChildren(view.root);
  view.setOpen(true, false);
  // A preview cannot send: the composer says so instead of pretending.
  view.input.disabled = view.send.disabled = true;
});
window.parent.postMessage({ type: PREVIEW_MESSAGE, ready: true }, location.origin);
