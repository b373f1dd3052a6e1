/** Frame entry: the one file that touches the browser's globals. Everything else is in `boot.ts`. */
import { boot } from './boot.js';

boot({
  win: window,
  doc: document,
  parent: window.parent,
  search: location.search,
  // A getter: reading `window.localStorage` itself throws a SecurityError when storage is blocked.
  storage: () => window.localStorage,
  fetch: (input, init) => window.fetch(input, init),
  afterPaint(cb) {
    // The frame is `visibility: hidden` until `ready`, and browsers may not run animation frames for a
    // hidden cross-origin frame (Chromium throttles them): a timeout backs the frame callback up.
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      cb();
    };
    requestAnimationFrame(() => setTimeout(go));
    setTimeout(go, 100);
  },
});
