/**
 * The visitor token check itself (src/hub/identity/verify.ts), one rule a test: HS256 only, `aud` the
 * key id, `exp` and `iat` required and at most an hour apart, `sub` required, `name` and `email`
 * bounded, every secret given tried in order. Each refusal names its check and tells the developer what
 * to fix. Over HTTP, with the key's rotation and grace period: test/hub/identity.test.ts.
 */
import { createHmac } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyVisitorToken } from '../../../src/hub/identity/verify.js';

const KEY = 'wk_shopkey';
const SECRET = 'idsec_currentcurrentcurrentcurrentcurrentcurren';
const PREVIOUS = 'idsec_previouspreviouspreviouspreviouspreviousp';
const HINT = "sign it with HS256 and the widget key's identity_secret string (docs/identity.md)";
const now = () => Math.floor(Date.now() / 1000);

/** A token as the site's backend signs it: `claims` override the defaults (undefined drops one). */
function sign(claims: Record<string, unknown> = {}, secret = SECRET, alg = 'HS256') {
  const t = now();
  const payload = Object.fromEntries(Object.entries({ sub: 'user_1', aud: KEY, iat: t, exp: t + 600, ...claims }).filter(([, v]) => v !== undefined));
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** A token signed by hand, for headers jose will not sign. */
function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, secret = SECRET) {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const verify = async (token: string | Promise<string>, secrets = [SECRET]) => verifyVisitorToken(await token, KEY, secrets);

async function refusal(token: string | Promise<string>, secrets = [SECRET]) {
  const checked = await verify(token, secrets);
  if (checked.ok) throw new Error('the token was accepted');
  return checked;
}

describe('verifyVisitorToken', () => {
  it('accepts an HS256 token with aud, sub, iat and exp, and answers the visitor and exp', async () => {
    const t = now();
    expect(await verify(sign({ sub: 'user_7', iat: t, exp: t + 600 }))).toEqual({ ok: true, visitor: { id: 'user_7' }, exp: t + 600 });
  });

  it('keeps name and email when given', async () => {
    const checked = await verify(sign({ name: 'Ada', email: 'ada@shop.example' }));
    expect(checked).toMatchObject({ ok: true, visitor: { id: 'user_1', name: 'Ada', email: 'ada@shop.example' } });
  });

  describe('signature', () => {
    it('refuses alg none, saying HS256 is the only one', async () => {
      const t = now();
      const none = new UnsecuredJWT({ sub: 'user_1', aud: KEY, iat: t, exp: t + 600 }).encode();
      expect(await refusal(none)).toEqual({ ok: false, check: 'signature', message: `The visitor token is not signed with HS256 (alg "none" and others are refused); ${HINT}` });
    });

    it('refuses HS512 signed with the right secret', async () => {
      expect(await refusal(sign({}, SECRET, 'HS512'))).toMatchObject({ check: 'signature', message: expect.stringContaining('not signed with HS256') });
    });

    it('refuses what is not a JWT', async () => {
      expect(await refusal('not.a.jwt')).toEqual({ ok: false, check: 'signature', message: `The visitor token is not a JWT; ${HINT}` });
    });

    it('refuses a token signed with another secret, pointing at rotation', async () => {
      expect(await refusal(sign({}, 'idsec_someoneelse'))).toEqual({
        ok: false,
        check: 'signature',
        message: `The visitor token's signature does not match this widget key's identity secret; ${HINT}, and check it is this key's current secret (after a rotation, the previous one works only for its grace period)`,
      });
    });

    it('refuses every token when the key has no secret to verify with', async () => {
      expect(await refusal(sign(), [])).toMatchObject({ check: 'signature', message: expect.stringContaining('does not match') });
    });

    it('tries each secret given, so a token of the previous secret verifies while it is passed', async () => {
      expect(await verify(sign({}, PREVIOUS), [SECRET, PREVIOUS])).toMatchObject({ ok: true });
      expect(await verify(sign({}, SECRET), [SECRET, PREVIOUS])).toMatchObject({ ok: true });
      expect(await refusal(sign({}, PREVIOUS), [SECRET])).toMatchObject({ check: 'signature' });
    });

    it('refuses a token jose cannot verify for another reason, saying why', async () => {
      const t = now();
      const crit = signRaw({ alg: 'HS256', crit: ['x'], x: 1 }, { sub: 'user_1', aud: KEY, iat: t, exp: t + 600 });
      expect(await refusal(crit)).toEqual({
        ok: false,
        check: 'signature',
        message: `The visitor token could not be verified (Extension Header Parameter "x" is not recognized); ${HINT}`,
      });
    });
  });

  describe('audience', () => {
    it("refuses a token for another key, even signed with this key's secret, naming both", async () => {
      expect(await refusal(sign({ aud: 'wk_otherkey' }))).toEqual({
        ok: false,
        check: 'audience',
        message: `The visitor token's aud is "wk_otherkey", not this widget key's id "${KEY}"; set aud to the id of the key on this page`,
      });
    });

    it('refuses a token without aud, saying it is null', async () => {
      expect(await refusal(sign({ aud: undefined }))).toMatchObject({ check: 'audience', message: expect.stringContaining('aud is null, not') });
    });

    it('refuses aud as a list, even one holding the key id', async () => {
      expect(await refusal(sign({ aud: [KEY] }))).toMatchObject({ check: 'audience' });
    });
  });

  describe('expiry', () => {
    it('refuses an expired token, saying when it expired and how to renew', async () => {
      const exp = now() - 120;
      expect(await refusal(sign({ iat: exp - 600, exp }))).toEqual({
        ok: false,
        check: 'expiry',
        message: `The visitor token expired at ${new Date(exp * 1000).toISOString()}; sign a new one, and pass it again with Kataven('identify', token) when the widget emits identity_expired`,
      });
    });

    it('allows 30 s of clock difference: expired 10 s ago is taken, 60 s ago is not', async () => {
      const t = now();
      expect(await verify(sign({ iat: t - 600, exp: t - 10 }))).toMatchObject({ ok: true });
      expect(await refusal(sign({ iat: t - 600, exp: t - 60 }))).toMatchObject({ check: 'expiry' });
    });

    it('accepts exp an hour after iat, and refuses a second more, saying by how much', async () => {
      const t = now();
      expect(await verify(sign({ iat: t, exp: t + 3600 }))).toMatchObject({ ok: true });
      expect(await refusal(sign({ iat: t, exp: t + 3601 }))).toEqual({
        ok: false,
        check: 'expiry',
        message: "The visitor token's exp is 3601 s after its iat; at most 3600 s (1 hour) is accepted: sign short-lived tokens and renew them",
      });
    });

    it.each(['exp', 'iat'])('refuses a token without %s, naming it', async (claim) => {
      expect(await refusal(sign({ [claim]: undefined }))).toMatchObject({
        check: 'expiry',
        message: expect.stringMatching(new RegExp(`^The visitor token's ${claim} is missing or invalid \\(.+\\); it needs sub, iat and exp$`)),
      });
    });

    it('refuses an exp that is not a number', async () => {
      expect(await refusal(sign({ exp: 'tomorrow' }))).toMatchObject({ check: 'expiry', message: expect.stringContaining("token's exp is") });
    });
  });

  describe('claims', () => {
    it('refuses a token not valid yet (nbf) as a claim, not an expiry', async () => {
      expect(await refusal(sign({ nbf: now() + 300 }))).toMatchObject({ check: 'claims', message: expect.stringContaining("token's nbf is missing or invalid") });
    });

    const SUB = 'The visitor token needs sub: your user\'s id, a string of 1 to 256 characters';
    it.each([
      ['no sub', undefined],
      ['an empty sub', ''],
      ['a number as sub', 42],
      ['a sub of 257 characters', 'u'.repeat(257)],
      ['a sub holding a NUL', 'user\u00001'],
    ])('refuses %s', async (_name, sub) => {
      expect(await refusal(sign({ sub }))).toEqual({ ok: false, check: 'claims', message: SUB });
    });

    it('accepts a sub of 256 characters', async () => {
      expect(await verify(sign({ sub: 'u'.repeat(256) }))).toMatchObject({ ok: true, visitor: { id: 'u'.repeat(256) } });
    });

    it.each([
      ['name', 200],
      ['email', 320],
    ] as const)('takes a %s of up to %i characters, and refuses a longer one, one not a string or holding a NUL', async (claim, max) => {
      expect(await verify(sign({ [claim]: 'a'.repeat(max) }))).toMatchObject({ ok: true, visitor: { [claim]: 'a'.repeat(max) } });
      const message = `The visitor token's ${claim} must be a string of at most ${max} characters`;
      for (const value of ['a'.repeat(max + 1), 7, 'a\u0000b']) {
        expect(await refusal(sign({ [claim]: value }))).toEqual({ ok: false, check: 'claims', message });
      }
    });
  });
});
