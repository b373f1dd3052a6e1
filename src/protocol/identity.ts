/**
 * Verified visitors (docs/identity.md): the site's backend signs a visitor token, an HS256 JWT keyed with
 * the widget key's `identity_secret` string, and the page passes it with `Kataven('identify', token)`.
 * Constants and wire types shared by the hub, the frame and the client.
 */

/** `off`: tokens are refused; `optional`: anonymous visitors chat, verified ones carry their identity; `required`: no conversation without one. */
export const IDENTITY_MODES = ['off', 'optional', 'required'] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

/** Identity secrets: this prefix + 43 base64url characters (32 random bytes). */
export const IDENTITY_SECRET_PREFIX = 'idsec_';

/** A visitor token's `exp` may be at most this far after its `iat`. */
export const MAX_IDENTITY_TOKEN_SECONDS = 3600;

/** How long a rotated identity secret keeps verifying tokens, unless the rotation says otherwise. */
export const DEFAULT_IDENTITY_GRACE_SECONDS = 86_400;
export const MAX_IDENTITY_GRACE_SECONDS = 7 * 86_400;

/** Longest `sub` (the visitor's id), `name` and `email` the hub keeps, in characters. */
export const MAX_VISITOR_ID_LENGTH = 256;
export const MAX_VISITOR_NAME_LENGTH = 200;
export const MAX_VISITOR_EMAIL_LENGTH = 320;

/** The frame emits `identity_expired` this long before the visitor token's `exp` (or halfway, for a shorter token). */
export const IDENTITY_RENEW_BEFORE_MS = 60_000;

/** Longest visitor token the hub reads, in characters. */
export const MAX_IDENTITY_TOKEN_LENGTH = 4096;

/**
 * Which check refused a visitor token; the error type is `identity_<check>`:
 * `missing` (no token, and the key requires one), `signature` (not HS256 with this key's identity_secret,
 * `alg: none` included), `audience` (`aud` is not this widget key's id), `expiry` (expired, or `exp` more
 * than an hour after `iat`), `claims` (no `sub`, or a claim of the wrong kind), `origin` (the token was
 * first presented on another page origin).
 */
export type IdentityCheck = 'missing' | 'signature' | 'audience' | 'expiry' | 'claims' | 'origin';
export type IdentityErrorType = `identity_${IdentityCheck}` | 'identity_off';

/** Who the agent is talking to, as the hub verified it. */
export type VisitorIdentity = { verified: true; id: string; name?: string; email?: string } | { verified: false };

/** The verified visitor's claims the hub keeps (`sub` as `id`). */
export interface VerifiedVisitor {
  id: string;
  name?: string;
  email?: string;
}

/** POST WIDGET_API.identify: the token, and the conversation the frame holds, which the visitor adopts. */
export interface IdentifyBody {
  token: string;
  conversation_id?: string;
}

export interface IdentifyResponse {
  /** A session bound to the visitor (and, as every session, to the page origin). */
  session_token: string;
  expires_at: string;
  visitor: VerifiedVisitor;
  /** The visitor token's `exp`: the frame emits `identity_expired` before it, for the page to renew. */
  identity_expires_at: string;
  /** The visitor's conversations in this account, most recent first (the adopted one included). */
  conversations: { id: string; created_at: string }[];
}
