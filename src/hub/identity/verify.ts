/**
 * Verifying a visitor token (docs/identity.md): a JWT the site's backend signed with HS256 and the
 * widget key's identity secret string, `aud` = the key id, `sub` the site's user id, `exp` at most an
 * hour after `iat`. The answer names the one check that failed, for the page's `error` event and the
 * console line: the site's developer must learn what to fix, not guess at a silent 401.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import {
  MAX_IDENTITY_TOKEN_SECONDS, MAX_VISITOR_EMAIL_LENGTH, MAX_VISITOR_ID_LENGTH, MAX_VISITOR_NAME_LENGTH,
  type IdentityCheck, type VerifiedVisitor,
} from '../../protocol/identity.js';

/** Clocks of the site's backend and the hub may differ this much. */
const CLOCK_TOLERANCE_S = 30;

export type TokenCheck =
  | { ok: true; visitor: VerifiedVisitor; exp: number }
  | { ok: false; check: Exclude<IdentityCheck, 'missing' | 'origin'>; message: string };

const refuse = (check: Exclude<IdentityCheck, 'missing' | 'origin'>, message: string): TokenCheck => ({ ok: false, check, message });

const SIGN_HINT = 'sign it with HS256 and the widget key\'s identity_secret string (docs/identity.md)';

/** `secrets`: the key's current identity secret, then a rotated one still in its grace period. */
export async function verifyVisitorToken(token: string, keyId: string, secrets: string[]): Promise<TokenCheck> {
  let claims: JWTPayload;
  try {
    // Read unverified only to name the failure: nothing from here is trusted before the signature check.
    if (decodeProtectedHeader(token).alg !== 'HS256') return refuse('signature', `The visitor token is not signed with HS256 (alg "none" and others are refused); ${SIGN_HINT}`);
    claims = decodeJwt(token);
  } catch {
    return refuse('signature', `The visitor token is not a JWT; ${SIGN_HINT}`);
  }
  if (claims.aud !== keyId) {
    return refuse('audience', `The visitor token's aud is ${JSON.stringify(claims.aud ?? null)}, not this widget key's id "${keyId}"; set aud to the id of the key on this page`);
  }
  for (const secret of secrets) {
    try {
      const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
        algorithms: ['HS256'],
        audience: keyId,
        requiredClaims: ['exp', 'iat'],
        clockTolerance: CLOCK_TOLERANCE_S,
      });
      return checkClaims(payload);
    } catch (err) {
      if (err instanceof errors.JWSSignatureVerificationFailed) continue;
      if (err instanceof errors.JWTExpired) return refuse('expiry', `The visitor token expired at ${new Date(Number(claims.exp) * 1000).toISOString()}; sign a new one, and pass it again with Kataven('identify', token) when the widget emits identity_expired`);
      if (err instanceof errors.JWTClaimValidationFailed) return refuse(err.claim === 'exp' || err.claim === 'iat' ? 'expiry' : 'claims', `The visitor token's ${err.claim} is missing or invalid (${err.message}); it needs sub, iat and exp`);
      return refuse('signature', `The visitor token could not be verified (${(err as Error).message}); ${SIGN_HINT}`);
    }
  }
  return refuse('signature', `The visitor token's signature does not match this widget key's identity secret; ${SIGN_HINT}, and check it is this key's current secret (after a rotation, the previous one works only for its grace period)`);
}

function checkClaims(payload: JWTPayload): TokenCheck {
  const { sub, iat, exp } = payload as { sub?: unknown; iat: number; exp: number };
  if (exp - iat > MAX_IDENTITY_TOKEN_SECONDS) {
    return refuse('expiry', `The visitor token's exp is ${exp - iat} s after its iat; at most ${MAX_IDENTITY_TOKEN_SECONDS} s (1 hour) is accepted: sign short-lived tokens and renew them`);
  }
  if (typeof sub !== 'string' || !sub || sub.length > MAX_VISITOR_ID_LENGTH || sub.includes('\u0000')) {
    return refuse('claims', `The visitor token needs sub: your user's id, a string of 1 to ${MAX_VISITOR_ID_LENGTH} characters`);
  }
  const visitor: VerifiedVisitor = { id: sub };
  for (const [claim, max] of [['name', MAX_VISITOR_NAME_LENGTH], ['email', MAX_VISITOR_EMAIL_LENGTH]] as const) {
    const value = payload[claim];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > max || value.includes('\u0000')) {
      return refuse('claims', `The visitor token's ${claim} must be a string of at most ${max} characters`);
    }
    visitor[claim] = value;
  }
  return { ok: true, visitor, exp };
}
