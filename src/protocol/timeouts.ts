/**
 * How long the loader waits, shared by the loader build (build.mjs passes them in as esbuild `define`s,
 * see src/loader/build-constants.d.ts), the tests and the docs. Only the test build of the loader
 * (dist/test/loader.js, served by the e2e hub) uses shorter ones, so the e2e run does not idle.
 */

/** The loader gives up on a hub that has not answered the handshake (body included) by then. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** The loader removes a frame that has not said `ready` by then (a page CSP blocking it is silent). */
export const FRAME_READY_TIMEOUT_MS = 15_000;
