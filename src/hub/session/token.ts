/**
 * Session tokens: HS256 JWTs (jose) that let the frame act as an anonymous visitor of one customer site.
 * They carry the key, account, agent and the origin the handshake allowed; they live at most 10 minutes.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export const SESSION_TTL_SECONDS = 600;

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
  const key = new TextEncoder().encode(secret);
  return {
    async sign(claims) {
      const exp = Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS;
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(key);
      return { token, expires_at: new Date(exp * 1000).toISOString() };
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
