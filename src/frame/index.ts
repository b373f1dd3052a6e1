/** Frame entry: the one file that touches the browser's globals. Everything else is in `boot.ts`. */
import { boot } from './boot.js';
import { T } from './lang/in-use.js';

boot({
  win: window,
  doc: document,
  parent: window.parent,
  search: location.search,
  // A getter: reading `window.localStorage` itself throws a SecurityError when storage is blocked.
  storage: () => window.localStorage,
  fetch: (input, init) => window.fetch(input, init),
  nextFrame: (cb) => requestAnimationFrame(cb),
  // crypto.randomUUID exists only in secure contexts; a hub served over plain http (a LAN test) is not one.
  uuid: () =>
    crypto.randomUUID
      ? crypto.randomUUID()
      : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) => (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16)),
  warn: (text) => console.warn(text),
  t: T,
});
