/**
 * Size budgets, one home each: build.mjs fails above them, the bench prints them, the tests hold the
 * shipped files to them, and the README and docs/performance.md quote them.
 */

/** dist/loader.js, minified + gzip -9, in bytes: paid on every page view of every customer page. */
export const LOADER_GZIP_BUDGET = 1500;
/** What the loader aims for; the build prints the headroom against both. */
export const LOADER_GZIP_AIM = 1280;
