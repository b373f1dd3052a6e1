/**
 * Session tokens: HS256 JWTs that let the frame act as an anonymous visitor of one customer site.
 * They carry the key, account, agent and the origin the handshake allowed; they live at most 10 minutes.
 *
 * Signing is on every handshake, so it is one synchronous HMAC with a key object made once (jose's
 * SignJWT imported a Web Crypto key and signed in a thread-pool job on every call: ~110 µs of a
 * ~250 µs handshake, `npm run bench`). Verification, off the hot path, stays with jose's jwtVerify.
 */
import { createHmac, createSecretKey, randomUUID } from 'node:crypto';
import { jwtVerify } from 'jose';

const SESSION_TTL_SECONDS = 600;

export interface SessionClaims {
  kid: string;
  acc: string;
  agt: string;
  org: string;
  jti: string;
  exp: number;
}

export interface SessionSigner {
  sign(claims: Omit<SessionClaims, 'jti' | 'exp'>): Promise<{ token: string; expires_at: string }>;
  verify(token: string): Promise<SessionClaims | null>;
}

export function sessionSigner(secret: string): SessionSigner {
  // Made with the signer rather than at import: a mutant of it then fails a test instead of the import,
  // which Stryker's Vitest runner would count as no test failing.
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const key = new TextEncoder().encode(secret);
  const hmacKey = createSecretKey(Buffer.from(key));
  return {
    async sign(claims) {
      const iat = Math.floor(Date.now() / 1000);
      const exp = iat + SESSION_TTL_SECONDS;
      const payload = Buffer.from(JSON.stringify({ ...claims, jti: randomUUID(), iat, exp })).toString('base64url');
      const signature = createHmac('sha256', hmacKey).update(`${header}.${payload}`).digest('base64url');
      return { token: `${header}.${payload}.${signature}`, expires_at: new Date(exp * 1000).toISOString() };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
        const { kid, acc, agt, org, jti, exp } = payload as Partial<SessionClaims>;
        if ([kid, acc, agt, org, jti].every((v) => typeof v === 'string') && typeof exp === 'number') {
          return { kid, acc, agt, org, jti, exp } as SessionClaims;
        }
        return null;
      } catch {
        return null;
      }
    },
  };
}
