/**
 * `Kataven.identity.sign`: the visitor token your backend gives the page for `Kataven('identify', token)`
 * (docs/identity.md). A JWT, HS256 with the widget key's `identity_secret` string, `aud` the key id,
 * `sub` your user's id, and `exp` at most an hour ahead: the hub refuses longer-lived tokens.
 *
 * @example
 * app.get('/kataven-token', async (req, res) => {
 *   const token = await Kataven.identity.sign({
 *     secret: process.env.KATAVEN_IDENTITY_SECRET!, keyId: 'wk_…', user: { id: req.user.id, name: req.user.name },
 *   });
 *   res.json({ token });
 * });
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ID_PREFIX } from '../protocol/ids.js';
import { IDENTITY_SECRET_PREFIX, MAX_IDENTITY_TOKEN_SECONDS, type VerifiedVisitor } from '../protocol/identity.js';

export interface SignVisitorOptions {
  /** The widget key's `identity_secret` (`idsec_` + 43 characters), from the create, update or rotation that returned it. */
  secret: string;
  /** The widget key's id (`wk_…`): the token's audience. */
  keyId: string;
  /** Your user: `id` becomes `sub`; `name` and `email` are shown to the agent as the site vouches for them. */
  user: VerifiedVisitor;
  /** Seconds until the token expires: default 600, at most 3600. */
  expiresIn?: number;
}

/** The token, signed now. Throws a TypeError naming the option that is wrong. */
async function sign({ secret, keyId, user, expiresIn = 600 }: SignVisitorOptions): Promise<string> {
  if (typeof secret !== 'string' || !secret.startsWith(IDENTITY_SECRET_PREFIX)) {
    throw new TypeError(`secret: expected the widget key's identity_secret (${IDENTITY_SECRET_PREFIX}…); turn identity on for the key to get one`);
  }
  if (typeof keyId !== 'string' || !keyId.startsWith(`${ID_PREFIX.widgetKey}_`)) throw new TypeError(`keyId: expected the widget key's id (${ID_PREFIX.widgetKey}_…)`);
  if (!user || typeof user.id !== 'string' || !user.id) throw new TypeError("user.id: expected your user's id, a non-empty string");
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_IDENTITY_TOKEN_SECONDS) {
    throw new TypeError(`expiresIn: expected whole seconds from 1 to ${MAX_IDENTITY_TOKEN_SECONDS}; the hub refuses tokens that live longer`);
  }
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, string> = {};
  if (user.name !== undefined) claims.name = user.name;
  if (user.email !== undefined) claims.email = user.email;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setAudience(keyId)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    // Unique per call: the hub binds each token to the page origin it is first shown on, so two signed
    // in the same second for two sites must not be the same string.
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(secret));
}

export const identity = { sign };
