/**
 * The live preview (/console/preview, framed by the console only): the real widget view of the frame
 * (src/frame/view.ts), drawn with the agent settings the console is editing, before they are saved.
 * It talks to nobody: the console posts it each change, and only the console's own window is listened to.
 */
import { PREVIEW_MESSAGE } from '../protocol/console.js';
import type { AgentPublic } from '../protocol/handshake.js';
import { EN } from '../frame/strings.js';
import { createView } from '../frame/view.js';

window.addEventListener('message', (event) => {
  if (event.origin !== location.origin || event.source !== window.parent) return;
  const data = event.data as { type?: unknown; agent?: AgentPublic };
  if (data?.type !== PREVIEW_MESSAGE || !data.agent) return;
  const view = createView(document, data.agent, { onToggle: () => {}, onSubmit: () => {} }, (cb) => requestAnimationFrame(cb), EN);
  document.body.replaceChildren(view.root);
  view.setOpen(true, false);
  // A preview cannot send: the composer says so instead of pretending.
  view.input.disabled = view.send.disabled = true;
});
window.parent.postMessage({ type: PREVIEW_MESSAGE, ready: true }, location.origin);
