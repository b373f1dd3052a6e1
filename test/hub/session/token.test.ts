import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { sessionSigner } from '../../../src/hub/session/token.js';

const SECRET = 'a-session-secret-of-more-than-32-characters';
const CLAIMS = { kid: 'wk_0123', acc: 'acct_0123', agt: 'agt_0123', org: 'https://shop.example' };

describe('session tokens', () => {
  it('signs an HS256 JWT that jose verifies, with the claims, a jti and exp 600 s after iat', async () => {
    const { token, expires_at } = sessionSigner(SECRET, 86_400).sign(CLAIMS);
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject(CLAIMS);
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(new Date(expires_at).getTime()).toBe(payload.exp! * 1000);
  });

  it('gives every token its own 128-bit jti', () => {
    const signer = sessionSigner(SECRET, 86_400);
    const jtis = Array.from({ length: 600 }, () => JSON.parse(Buffer.from(signer.sign(CLAIMS).token.split('.')[1]!, 'base64url').toString()).jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    for (const jti of jtis) expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('verifies its own tokens and refuses one signed with another secret', async () => {
    const signer = sessionSigner(SECRET, 86_400);
    const { token } = signer.sign(CLAIMS);
    expect(await signer.verify(token)).toMatchObject(CLAIMS);
    expect(await sessionSigner(`${SECRET}-other`, 86_400).verify(token)).toBeNull();
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const signer = sessionSigner(SECRET, 86_400);
    const [header, , signature] = signer.sign(CLAIMS).token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...CLAIMS, org: 'https://evil.example', jti: 'x', exp: 4102444800 })).toString('base64url');
    expect(await signer.verify(`${header}.${forged}.${signature}`)).toBeNull();
  });
});
