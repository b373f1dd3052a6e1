/**
 * Session tokens: HS256 JWTs that let the frame act as an anonymous visitor of one customer site.
 * They carry the key, account, agent and the origin the handshake allowed; they live at most 10 minutes.
 * `sst`, the session's start (the handshake), is kept across refreshes: no token outlives
 * sst + the configured lifetime, so a session cannot be refreshed for ever.
 *
 * Signing is on every handshake, so it does only what a JWS needs (RFC 7515 compact form; jose's SignJWT
 * imported a Web Crypto key and signed in a thread-pool job on every call: ~110 µs of a ~250 µs
 * handshake, `npm run bench`): the header's base64url is fixed, the claims are written as JSON text
 * (JSON.stringify of the claims object cost more than the HMAC), the jti is 128 random bits from a
 * pool, the HMAC is two one-shot hashes (hmac.ts).
 * Verification, off the hot path, stays with jose's jwtVerify, which also checks what we sign.
 *
 * A verified visitor's session (POST /api/v1/widget/identify, docs/identity.md) also carries `vis`: the
 * visitor's id (the site's `sub`), name and email, and `exp` of the site's visitor token, after which
 * the session no longer speaks for that visitor. Refreshes keep it.
 */
import { jwtVerify } from 'jose';
import { jsonString } from '../json-string.js';
import { random128 } from '../random.js';
import { hmacSha256 } from './hmac.js';

export const SESSION_TTL_SECONDS = 600;

export interface SessionClaims {
  kid: string;
  acc: string;
  agt: string;
  org: string;
  jti: string;
  exp: number;
  /** Unix seconds of the handshake that started the session. */
  sst: number;
  /** A verified visitor (identify); absent for an anonymous one. */
  vis?: SessionVisitor;
}

export interface SessionVisitor {
  id: string;
  name?: string;
  email?: string;
  /** Unix seconds: the visitor token's `exp`. */
  exp: number;
}

export interface SessionSigner {
  /** Without `sst`, a new session (a handshake); with it, a refresh of that session. */
  sign(claims: Omit<SessionClaims, 'jti' | 'exp' | 'sst'> & { sst?: number }): { token: string; expires_at: string };
  verify(token: string): Promise<SessionClaims | null>;
  /** Unix seconds when the session started at `sst` ends for good. */
  endOf(sst: number): number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export function sessionSigner(secret: string, lifetimeSeconds: number): SessionSigner {
  const key = new TextEncoder().encode(secret);
  const mac = hmacSha256(key);
  const endOf = (sst: number) => sst + lifetimeSeconds;
  // Every token signed within one second expires at the same second: its ISO form is made once.
  // Stryker disable next-line ObjectLiteral,StringLiteral: no token expires at second 0, so this first value is always replaced
  let expiresAt = { exp: 0, iso: '' };
  return {
    endOf,
    sign({ sst: started, ...claims }) {
      const iat = Math.floor(Date.now() / 1000);
      const sst = started ?? iat;
      const exp = Math.min(iat + SESSION_TTL_SECONDS, endOf(sst));
      const vis = claims.vis ? `,"vis":${JSON.stringify(claims.vis)}` : '';
      const json = `{"kid":${jsonString(claims.kid)},"acc":${jsonString(claims.acc)},"agt":${jsonString(claims.agt)},"org":${jsonString(claims.org)},"sst":${sst},"jti":"${random128('base64url')}","iat":${iat},"exp":${exp}${vis}}`;
      const signingInput = `${HEADER}.${Buffer.from(json).toString('base64url')}`;
      // Stryker disable next-line ConditionalExpression: making the ISO form on every call gives the same text; only the saving is lost
      if (expiresAt.exp !== exp) expiresAt = { exp, iso: new Date(exp * 1000).toISOString() };
      return { token: `${signingInput}.${mac(signingInput)}`, expires_at: expiresAt.iso };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
        const { kid, acc, agt, org, jti, exp, sst, iat, vis } = payload as Partial<SessionClaims> & { iat?: number };
        // Tokens signed before sessions had a start carry none: their own issue time stands in (bounded the same way).
        const start = sst ?? iat;
        if ([kid, acc, agt, org, jti].every((v) => typeof v === 'string') && typeof exp === 'number' && typeof start === 'number') {
          const claims = { kid, acc, agt, org, jti, exp, sst: start } as SessionClaims;
          if (vis && typeof vis.id === 'string' && typeof vis.exp === 'number') claims.vis = vis;
          return claims;
        }
        return null;
      } catch {
        return null;
      }
    },
  };
}
