/**
 * Opt-in global type of `window.Kataven` for site owners' TypeScript:
 * `import type {} from 'kataven/browser/global'` in one file of the site's program. Optional, because
 * the page has it only after the snippet or the loader ran.
 */
import type { KatavenApi } from './browser-api.js';

declare global {
  interface Window {
    Kataven?: KatavenApi;
  }
}
