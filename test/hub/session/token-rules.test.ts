/**
 * Session tokens as rules: what verifies and what does not. Tokens the hub never signs are made with
 * jose, an independent signer, so the verifier is judged against the JWT specification, not against itself.
 */
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sessionSigner } from '../../../src/hub/session/token.js';

const SECRET = 'session-secret-for-these-tests-0123456789abcdef';
const CLAIMS = { kid: 'wk_1', acc: 'acc_1', agt: 'ag_1', org: 'https://shop.example' };
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const signer = sessionSigner(SECRET, 86_400);

/** A token signed by jose with `claims` as given (no claim added). */
function forged(claims: JWTPayload, opts: { alg?: string; secret?: string } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'HS256' }).sign(new TextEncoder().encode(opts.secret ?? SECRET));
}
const valid = () => ({ ...CLAIMS, jti: 'j1', exp: Math.floor(Date.now() / 1000) + 60, sst: Math.floor(Date.now() / 1000) });

afterEach(() => {
  vi.useRealTimers();
});

describe('session tokens', () => {
  it('verifies its own token and returns exactly the session claims', async () => {
    const { token } = await signer.sign(CLAIMS);
    const claims = await signer.verify(token);
    expect(claims).toEqual({ ...CLAIMS, jti: expect.any(String), exp: expect.any(Number), sst: expect.any(Number) });
    expect(Object.keys(claims!).sort()).toEqual(['acc', 'agt', 'exp', 'jti', 'kid', 'org', 'sst']);
  });

  it('signs HS256 JWTs that jose reads', async () => {
    const { token } = await signer.sign(CLAIMS);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decodeJwt(token)).toMatchObject(CLAIMS);
  });

  it('lives exactly 600 seconds, and expires_at says when', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const { token, expires_at } = await signer.sign(CLAIMS);
    const { iat, exp } = decodeJwt(token);
    expect(iat).toBe(NOW / 1000);
    expect(exp).toBe(NOW / 1000 + 600);
    expect(expires_at).toBe(new Date(NOW + 600_000).toISOString());
  });

  it('verifies until exp and refuses after it', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const { token } = await signer.sign(CLAIMS);
    vi.setSystemTime(NOW + 599_000);
    expect(await signer.verify(token)).not.toBeNull();
    vi.setSystemTime(NOW + 601_000);
    expect(await signer.verify(token)).toBeNull();
  });

  it('gives every token its own jti', async () => {
    const jtis = await Promise.all(Array.from({ length: 20 }, async () => (await signer.verify((await signer.sign(CLAIMS)).token))!.jti));
    expect(new Set(jtis).size).toBe(20);
  });

  it('accepts a token jose signs with the same claims', async () => {
    expect(await signer.verify(await forged(valid()))).toEqual(valid());
  });

  // jose's jwtVerify accepts a JWT without exp: this check is the only thing that makes tokens expire.
  it('refuses a token without exp', async () => {
    const { exp: _, ...noExp } = valid();
    expect(await signer.verify(await forged(noExp))).toBeNull();
  });

  it('refuses a token with exp in the past', async () => {
    expect(await signer.verify(await forged({ ...valid(), exp: Math.floor(Date.now() / 1000) - 1 }))).toBeNull();
  });

  it.each(['kid', 'acc', 'agt', 'org', 'jti'])('refuses a token without %s', async (claim) => {
    const claims: JWTPayload = valid();
    delete claims[claim];
    expect(await signer.verify(await forged(claims))).toBeNull();
  });

  it.each([
    ['a number', 7],
    ['null', null],
    ['an object', { id: 'wk_1' }],
  ])('refuses a token whose kid is %s', async (_name, kid) => {
    expect(await signer.verify(await forged({ ...valid(), kid }))).toBeNull();
  });

  // A session ends at its start plus the lifetime: a token that names no start would have no end.
  it('refuses a token with neither sst nor iat', async () => {
    const { sst: _, ...noStart } = valid();
    expect(await signer.verify(await forged(noStart))).toBeNull();
  });

  it('refuses a token whose sst is not a number', async () => {
    const claims = valid();
    expect(await signer.verify(await forged({ ...claims, sst: String(claims.sst) }))).toBeNull();
  });

  it('takes iat as the start of a token signed before sessions had one', async () => {
    const claims = valid();
    const { sst, ...noStart } = claims;
    expect(await signer.verify(await forged({ ...noStart, iat: sst }))).toEqual(claims);
  });

  it('refuses a token whose org is not a string', async () => {
    expect(await signer.verify(await forged({ ...valid(), org: ['https://shop.example'] }))).toBeNull();
  });

  // Without `algorithms: ['HS256']`, jose would take HS384 or HS512 made with the same secret.
  it.each(['HS384', 'HS512'])('refuses %s with the same secret', async (alg) => {
    expect(await signer.verify(await forged(valid(), { alg }))).toBeNull();
  });

  it('refuses an unsigned token (alg none)', async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    expect(await signer.verify(`${part({ alg: 'none', typ: 'JWT' })}.${part(valid())}.`)).toBeNull();
  });

  it('refuses a token signed with another secret', async () => {
    expect(await signer.verify(await forged(valid(), { secret: SECRET + 'x' }))).toBeNull();
    const other = await sessionSigner(SECRET + "x", 86_400).sign(CLAIMS);
    expect(await signer.verify(other.token)).toBeNull();
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await signer.sign(CLAIMS)).token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...valid(), org: 'https://evil.example' })).toString('base64url');
    expect(await signer.verify(`${header}.${payload}.${signature}`)).toBeNull();
  });

  it('answers null, never throws, for text that is no JWT', async () => {
    for (const junk of ['', 'abc', 'a.b.c', '...']) expect(await signer.verify(junk)).toBeNull();
  });

  it("carries a verified visitor's vis through sign and verify, exactly", async () => {
    const vis = { id: 'user_1842', name: 'Ada Lovelace', email: 'ada@shop.example', exp: 1_900_000_000 };
    const claims = await signer.verify((await signer.sign({ ...CLAIMS, vis })).token);
    expect(claims!.vis).toEqual(vis);
    expect(Object.keys(claims!).sort()).toEqual(['acc', 'agt', 'exp', 'jti', 'kid', 'org', 'sst', 'vis']);
  });

  it('keeps a vis only with a string id and a number exp; the session stays, anonymous', async () => {
    const good = { id: 'user_1', exp: 1_900_000_000 };
    expect((await signer.verify(await forged({ ...valid(), vis: good })))!.vis).toEqual(good);
    for (const bad of [{ id: 7, exp: 1_900_000_000 }, { id: 'user_1', exp: '1900000000' }, { exp: 1_900_000_000 }, { id: 'user_1' }]) {
      const claims = await signer.verify(await forged({ ...valid(), vis: bad }));
      expect(claims).not.toBeNull();
      expect(claims).not.toHaveProperty('vis');
    }
  });
});
