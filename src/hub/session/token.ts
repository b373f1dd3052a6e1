/**
 * Session tokens: HS256 JWTs that let the frame act as an anonymous visitor of one customer site.
 * They carry the key, account, agent and the origin the handshake allowed; they live at most 10 minutes.
 * `sst`, the session's start (the handshake), is kept across refreshes: no token outlives
 * sst + the configured lifetime, so a session cannot be refreshed for ever.
 *
 * Signing is on every handshake, so it is one synchronous HMAC with a key object made once (jose's
 * SignJWT imported a Web Crypto key and signed in a thread-pool job on every call: ~110 µs of a
 * ~250 µs handshake, `npm run bench`). Verification, off the hot path, stays with jose's jwtVerify.
 */
import { createHmac, createSecretKey, randomUUID } from 'node:crypto';
import { jwtVerify } from 'jose';

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
}

export interface SessionSigner {
  /** Without `sst`, a new session (a handshake); with it, a refresh of that session. */
  sign(claims: Omit<SessionClaims, 'jti' | 'exp' | 'sst'> & { sst?: number }): Promise<{ token: string; expires_at: string }>;
  verify(token: string): Promise<SessionClaims | null>;
  /** Unix seconds when the session started at `sst` ends for good. */
  endOf(sst: number): number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export function sessionSigner(secret: string, lifetimeSeconds: number): SessionSigner {
  const key = new TextEncoder().encode(secret);
  const hmacKey = createSecretKey(Buffer.from(key));
  const endOf = (sst: number) => sst + lifetimeSeconds;
  return {
    endOf,
    async sign({ sst: started, ...claims }) {
      const iat = Math.floor(Date.now() / 1000);
      const sst = started ?? iat;
      const exp = Math.min(iat + SESSION_TTL_SECONDS, endOf(sst));
      const payload = Buffer.from(JSON.stringify({ ...claims, sst, jti: randomUUID(), iat, exp })).toString('base64url');
      const signature = createHmac('sha256', hmacKey).update(`${HEADER}.${payload}`).digest('base64url');
      return { token: `${HEADER}.${payload}.${signature}`, expires_at: new Date(exp * 1000).toISOString() };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
        const { kid, acc, agt, org, jti, exp, sst, iat } = payload as Partial<SessionClaims> & { iat?: number };
        // Tokens signed before sessions had a start carry none: their own issue time stands in (bounded the same way).
        const start = sst ?? iat;
        if ([kid, acc, agt, org, jti].every((v) => typeof v === 'string') && typeof exp === 'number' && typeof start === 'number') {
          return { kid, acc, agt, org, jti, exp, sst: start } as SessionClaims;
        }
        return null;
      } catch {
        return null;
      }
    },
  };
}
