/**
 * The `error.type` values as lists, for the hub (which throws them) and for tests (which check what
 * endpoints answer against them). Apart from handshake.ts and errors.ts, which export only the types, so
 * that the loader and the frame bundle none of these arrays.
 */

/** Refusals of the key or the origin: the handshake's own, re-checked by every session call. */
export const HANDSHAKE_DENIAL_TYPES = ['key_malformed', 'key_not_found', 'key_disabled', 'origin_missing', 'origin_not_allowed', 'test_key_not_local'] as const;

/**
 * What any hub endpoint may answer for a request it cannot take, besides its own refusals: the error
 * handler (src/hub/errors.ts) maps framework, validation and dependency failures to these.
 */
const REQUEST_ERROR_TYPES = [
  'invalid_json', 'invalid_request', 'body_too_large', 'unsupported_media_type', 'rate_limited', 'service_unavailable', 'internal_error',
] as const;

/** Every `error.type` the handshake endpoint can answer with. */
export const HANDSHAKE_ERROR_TYPES = [...HANDSHAKE_DENIAL_TYPES, ...REQUEST_ERROR_TYPES] as const;

export type HandshakeDenialType = (typeof HANDSHAKE_DENIAL_TYPES)[number];
export type RequestErrorType = (typeof REQUEST_ERROR_TYPES)[number];
export type HandshakeErrorType = (typeof HANDSHAKE_ERROR_TYPES)[number];
