/**
 * `kataven/browser`: `loadKataven` for sites built with a bundler, and the types of the page API. The
 * only file of the helper that touches `window`, and only when called: importing it touches nothing, so
 * server-side rendering can import it.
 */
import type { KatavenApi } from '../protocol/browser-api.js';
import { load, type PageWindow } from './load.js';
import type { LoadKatavenOptions } from './options.js';

export type * from '../protocol/browser-api.js';
export type { LoadKatavenOptions } from './options.js';

/** What the server gets: every call does nothing, and no handler ever runs. */
const inert: KatavenApi = () => {};

/**
 * Adds the loader's tag to the page once, and resolves with `window.Kataven` when the launcher is shown
 * (`ready`). Call it on every route: while that widget lives, every call returns the same promise and
 * adds nothing (the options of later calls are ignored). After `Kataven('destroy')`, the next call
 * mounts a fresh widget. A page that has the tag already keeps it: no second tag.
 *
 * Rejects with the `error` event's `KatavenError` (`origin_not_allowed`, `timeout`, …; `network_error`
 * when the loader itself could not be loaded), and with a `TypeError` for options without a key or a
 * hub. If the site's own tag has run before the first call, it resolves at once.
 *
 * On the server (no `window`) it touches no global and resolves at once with an inert API whose calls
 * do nothing; it never rejects there.
 *
 * @example
 * const kataven = await loadKataven({ hubUrl: 'https://hub.example.com', clientKey: 'pk_live_…' });
 * kataven('open');
 */
export function loadKataven(options: LoadKatavenOptions): Promise<KatavenApi> {
  if (typeof window === 'undefined') return Promise.resolve(inert);
  return load(window as unknown as PageWindow, options);
}
