/** The refusals of the origin check, word for word: a site owner acts on them (never the allowlist itself). */
import { describe, expect, it } from 'vitest';
import { compileAllowlist } from '../../../src/hub/allowlist/allowlist.js';
import { parseOrigin } from '../../../src/hub/allowlist/origin.js';
import type { CachedKey } from '../../../src/hub/visitor/key-cache.js';
import { checkOrigin, keyDisabled } from '../../../src/hub/visitor/origin-check.js';

const key = (allowlist: string[]): CachedKey => ({
  id: 'wk_1',
  hash: 'h',
  accountId: 'acc_1',
  agent: { id: 'ag_1', name: 'Ada', greeting: '', accent_color: '#000000', theme: 'auto', locale: null },
  last8: 'ABCD1234',
  disabled: false,
  lastUsedAt: null,
  patterns: compileAllowlist(allowlist),
  allowlistEmpty: allowlist.length === 0,
  identity: 'off',
  mode: 'live',
});
const refusal = (k: CachedKey, header: string | undefined) => {
  const e = checkOrigin(k, parseOrigin(header));
  return e && { status: e.status, type: e.type, message: e.message };
};

describe('checkOrigin', () => {
  it('allows a listed origin', () => {
    expect(checkOrigin(key(['shop.example']), parseOrigin('https://shop.example'))).toBeNull();
  });

  it.each([
    [undefined, 'no Origin header'],
    ['null', 'Origin "null"'],
    ['https://shop.example/', 'a malformed Origin'],
  ])('refuses %s as origin_missing, saying what it saw', (header, seen) => {
    expect(refusal(key(['shop.example']), header)).toEqual({
      status: 400,
      type: 'origin_missing',
      message: `The request carried ${seen} (key …ABCD1234). Load the widget from an http(s) page; sandboxed and file:// pages cannot use it`,
    });
  });

  it('refuses every origin for an empty allowlist, saying so', () => {
    expect(refusal(key([]), 'https://shop.example')).toEqual({
      status: 403,
      type: 'origin_not_allowed',
      message: "Origin https://shop.example is not allowed: key …ABCD1234 has an empty domain allowlist, which allows no site. Add your site to the key's domain_allowlist",
    });
  });

  it('refuses an unlisted origin without naming the allowlist', () => {
    expect(refusal(key(['shop.example']), 'https://evil.example')).toEqual({
      status: 403,
      type: 'origin_not_allowed',
      message: "Origin https://evil.example is not in the domain allowlist of key …ABCD1234. Add it to the key's domain_allowlist",
    });
  });
});

describe('checkOrigin for a test key', () => {
  const testKey = (allowlist: string[]): CachedKey => ({ ...key(allowlist), mode: 'test' });

  it('allows loopback origins on any port whatever the allowlist says, and refuses every other one', () => {
    expect(checkOrigin(testKey([]), parseOrigin('http://localhost:5173'))).toBeNull();
    expect(checkOrigin(testKey(['shop.example']), parseOrigin('http://127.0.0.1:3001'))).toBeNull();
    expect(refusal(testKey(['shop.example']), 'https://shop.example')).toEqual({
      status: 403,
      type: 'test_key_not_local',
      message: 'Origin https://shop.example cannot use key …ABCD1234: it is a test key (pk_test_…), which works only on localhost, 127.0.0.1 and [::1]. Use a live key (pk_live_…) on this site',
    });
  });
});

describe('keyDisabled', () => {
  it('names the key and both ways out', () => {
    const e = keyDisabled(key(['shop.example']));
    expect({ status: e.status, type: e.type, message: e.message }).toEqual({
      status: 403,
      type: 'key_disabled',
      message: 'Widget key …ABCD1234 is disabled. Enable it (PATCH disabled: false) or create a new key',
    });
  });
});
