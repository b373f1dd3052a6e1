/** Whom a session speaks for (src/hub/visitor/identity.ts): each rule the conversation routes rely on. */
import { describe, expect, it } from 'vitest';
import { compileAllowlist } from '../../../src/hub/allowlist/allowlist.js';
import type { CachedKey } from '../../../src/hub/visitor/key-cache.js';
import { sessionVisitor } from '../../../src/hub/visitor/identity.js';
import type { SessionClaims } from '../../../src/hub/session/token.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const key = (identity: CachedKey['identity']): CachedKey => ({
  id: 'wk_1', hash: 'h', accountId: 'acc_1', last8: 'ABCD1234', disabled: false, lastUsedAt: null,
  agent: { id: 'ag_1', name: 'Ada', greeting: '', accent_color: '#000000', theme: 'auto', locale: null },
  patterns: compileAllowlist(['shop.example']), allowlistEmpty: false, identity, mode: 'live',
});
const claims = (vis?: SessionClaims['vis']): SessionClaims => ({ kid: 'wk_1', acc: 'acc_1', agt: 'ag_1', org: 'https://shop.example', jti: 'j', exp: NOW / 1000 + 60, sst: NOW / 1000, ...(vis ? { vis } : {}) });
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    const { status, type, message } = e as { status: number; type: string; message: string };
    return { status, type, message };
  }
  return null;
};

describe('sessionVisitor', () => {
  const vis = { id: 'user_1', name: 'Ada', email: 'ada@shop.example', exp: NOW / 1000 + 1 };

  it('is the verified visitor while the visitor token lasts, with only the fields it has', () => {
    expect(sessionVisitor(claims(vis), key('optional'), NOW)).toEqual({ id: 'user_1', name: 'Ada', email: 'ada@shop.example' });
    expect(sessionVisitor(claims({ id: 'user_2', exp: vis.exp }), key('required'), NOW)).toEqual({ id: 'user_2' });
  });

  it('is anonymous on a key whose identity was turned off since, even with a verified session', () => {
    expect(sessionVisitor(claims(vis), key('off'), NOW)).toBeNull();
    expect(sessionVisitor(claims({ ...vis, exp: NOW / 1000 - 1 }), key('off'), NOW)).toBeNull();
  });

  it('refuses out loud once the visitor token has expired, at its exp exactly', () => {
    expect(refusal(() => sessionVisitor(claims({ ...vis, exp: NOW / 1000 }), key('optional'), NOW))).toEqual({
      status: 403,
      type: 'identity_expiry',
      message: "The visitor's sign-in token expired at 2030-01-01T12:00:00.000Z; the page passes a new one with Kataven('identify', token) (the widget emits identity_expired before it runs out)",
    });
  });

  it('lets an anonymous visitor in on an optional key, and refuses one on a required key', () => {
    expect(sessionVisitor(claims(), key('optional'), NOW)).toBeNull();
    expect(refusal(() => sessionVisitor(claims(), key('required'), NOW))).toEqual({
      status: 403,
      type: 'identity_missing',
      message: "Widget key …ABCD1234 requires signed-in visitors: the page must pass a visitor token with Kataven('identify', token) (docs/identity.md)",
    });
  });
});
