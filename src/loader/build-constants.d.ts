// Replaced at build time (esbuild `define` in build.mjs; vitest's `define` for the source run) by the
// values in src/protocol/timeouts.ts, or by the short ones of the test build.

/** See HANDSHAKE_TIMEOUT_MS in src/protocol/timeouts.ts. */
declare const __HANDSHAKE_TIMEOUT_MS__: number;
/** The same in seconds, as text, for the warning. */
declare const __HANDSHAKE_TIMEOUT_S__: string;
/** See FRAME_READY_TIMEOUT_MS in src/protocol/timeouts.ts. */
declare const __FRAME_READY_TIMEOUT_MS__: number;
