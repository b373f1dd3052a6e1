// Replaced at build time (esbuild `define` in build.mjs; vitest's `define` for the source run) by the
// values in src/protocol/timeouts.ts (or by the short ones of the test build) and src/protocol/frame.ts
// and handshake.ts.

/** See HANDSHAKE_TIMEOUT_MS in src/protocol/timeouts.ts. */
declare const __HANDSHAKE_TIMEOUT_MS__: number;
/** The same in seconds, as text, for the warning. */
declare const __HANDSHAKE_TIMEOUT_S__: string;
/** See FRAME_READY_TIMEOUT_MS in src/protocol/timeouts.ts. */
declare const __FRAME_READY_TIMEOUT_MS__: number;
/** FRAME_PATH of src/protocol/frame.ts. */
declare const __FRAME_PATH__: typeof import('../protocol/frame.js').FRAME_PATH;
/** FRAME_ALLOW of src/protocol/frame.ts. */
declare const __FRAME_ALLOW__: typeof import('../protocol/frame.js').FRAME_ALLOW;
/** HANDSHAKE_PATH of src/protocol/handshake.ts. */
declare const __HANDSHAKE_PATH__: typeof import('../protocol/handshake.js').HANDSHAKE_PATH;
