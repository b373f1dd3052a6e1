/**
 * The install snippet (README, "The loader on your page": the queue stub, then the loader's tag) as a
 * function that a single-page app may call on every route. The loader stays the one thing that talks to
 * the hub; this adds its tag once and turns its `ready` and `error` events into a promise.
 *
 * What it does depends on the `window.Kataven` it meets:
 * - none, or a stub (the site's own snippet, or ours): it keeps or installs the stub, so that calls made
 *   before the loader runs are queued, and adds the tag unless one is in the document already (the
 *   site's own, not run yet: it waits for that one instead);
 * - the loader's live API (`loaded: 1`): the site's own tag has run; it resolves at once with it;
 * - a destroyed API (`loaded: 0`, set by `Kataven('destroy')`): a fresh stub and a fresh tag, so the
 *   loader mounts a fresh widget.
 * Later calls meet the state the first one left, and get the first call's promise while its widget lives.
 *
 * Like the loader, it never throws into the page: every failure is the promise's rejection.
 */
import type { KatavenApi, KatavenError } from '../protocol/browser-api.js';
import { LOADER_PATH } from '../protocol/loader-url.js';
import type { LoadKatavenOptions } from './options.js';

/** `window.Kataven` as a page may hold it: the stub (with `q`) or the loader's API (with `loaded`, src/loader/boot.ts). */
interface PageKataven {
  (...args: unknown[]): void;
  q?: ArrayLike<unknown>[];
  /** 1: the loader runs (a second copy of it stands down). 0: destroyed (a tag added again mounts afresh). */
  loaded?: 0 | 1;
}

/** What the helper uses of `window`; tests pass a happy-dom one. */
export interface PageWindow {
  document: Document;
  console: Pick<Console, 'warn'>;
  Kataven?: PageKataven;
}

interface Load {
  promise: Promise<KatavenApi>;
  /** The tag this load added; none when it met the site's own. */
  tag?: HTMLScriptElement;
}

/** By window (the tests open several pages), the load whose widget is on that page. */
const loads = new WeakMap<PageWindow, Load>();

/** The loader's tag, as the loader itself looks for it when `document.currentScript` is null (src/loader/boot.ts). */
const LOADER_TAG = 'script[data-client-key]';

export function load(win: PageWindow, options: LoadKatavenOptions): Promise<KatavenApi> {
  let src: string;
  try {
    src = loaderUrl(options);
  } catch (e) {
    return Promise.reject(e);
  }
  const known = loads.get(win);
  let kataven = win.Kataven;
  if (known && kataven && kataven.loaded !== 0) return known.promise;
  if (kataven && kataven.loaded === 1) {
    // The site's own loader ran before us. It cannot be asked whether the launcher is shown already, and
    // its events are not replayed, so waiting for `ready` could wait forever.
    const promise = Promise.resolve(kataven as KatavenApi);
    loads.set(win, { promise });
    return promise;
  }
  const doc = win.document;
  const destroyed = kataven?.loaded === 0;
  // The snippet's stub, spelt the same way: the loader replays `q`, a list of `arguments` objects.
  if (!kataven || destroyed) {
    const stub: PageKataven = function () {
      (stub.q = stub.q || []).push(arguments);
    };
    win.Kataven = kataven = stub;
  }
  // A destroyed widget's tag has run and is spent: the fresh widget needs a tag of its own.
  known?.tag?.remove();
  const waitForSite = !destroyed && doc.querySelector(LOADER_TAG);

  let fail!: (error: KatavenError) => void;
  const promise = new Promise<KatavenApi>((resolve, reject) => {
    fail = reject;
    // Queued on the stub, replayed by the loader in order. Not taken off again: after the first event
    // the promise is settled, and a settled promise ignores the other.
    kataven('on', 'ready', () => resolve(win.Kataven as KatavenApi));
    kataven('on', 'error', reject);
  });
  const current: Load = { promise };
  loads.set(win, current);
  if (waitForSite) return promise;

  const tag = doc.createElement('script');
  current.tag = tag;
  tag.src = src;
  tag.async = true;
  tag.dataset.clientKey = options.clientKey;
  if (options.position) tag.dataset.position = options.position;
  if (options.open) tag.dataset.open = 'true';
  if (options.nonce) tag.setAttribute('nonce', options.nonce);
  if (options.integrity) {
    tag.integrity = options.integrity;
    tag.crossOrigin = 'anonymous';
  }
  // The loader never ran, so it cannot say why: wrong URL, hub down, a page CSP without it in
  // script-src (or without the nonce), an integrity value of another build. The next call tries again.
  tag.addEventListener('error', () => {
    tag.remove();
    if (loads.get(win) === current) loads.delete(win);
    const error: KatavenError = {
      type: 'network_error',
      message: 'could not load ' + src + '; check the URL, that the hub is up, the page CSP script-src and the integrity value',
    };
    try {
      win.console.warn('[kataven] widget not shown: ' + error.message + ' (' + error.type + ')');
    } catch {}
    fail(error);
  });
  (doc.head || doc.documentElement).appendChild(tag);
  return promise;
}

/** The loader's URL from the options, or a TypeError that says what to pass. */
function loaderUrl(options: LoadKatavenOptions): string {
  const { clientKey, hubUrl, src } = options || ({} as Partial<LoadKatavenOptions>);
  if (typeof clientKey !== 'string' || !clientKey) {
    throw new TypeError("loadKataven: clientKey is required: your widget key (pk_live_…), the tag's data-client-key");
  }
  if (hubUrl && src) throw new TypeError('loadKataven: pass hubUrl or src, not both');
  if (src) return src;
  try {
    return new URL(LOADER_PATH, hubUrl).href;
  } catch {
    throw new TypeError(
      'loadKataven: ' + (hubUrl ? 'hubUrl ' + JSON.stringify(hubUrl) + ' is not a URL' : 'hubUrl or src is required') +
        "; pass the hub's origin (hubUrl: 'https://hub.example.com') or the loader's URL (src)",
    );
  }
}
