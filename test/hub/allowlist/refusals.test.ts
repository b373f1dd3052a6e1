/**
 * Refusals and loopback entries the table-driven specs left open (issue 17, the mutation run): each
 * refusal's words, since a site owner acts on them, and what each loopback entry lets in.
 */
import { describe, expect, it } from 'vitest';
import { compileAllowlist, originAllowed, parseStoredAllowlist } from '../../../src/hub/allowlist/allowlist.js';
import { parseOrigin } from '../../../src/hub/allowlist/origin.js';
import { parsePattern } from '../../../src/hub/allowlist/pattern.js';

const reason = (input: string) => {
  const r = parsePattern(input);
  return r.ok ? `accepted as ${r.normalized}` : r.reason;
};
const allows = (entries: string[], origin: string) => {
  const o = parseOrigin(origin);
  if (!o.ok) throw new Error(`${origin} does not parse`);
  return originAllowed(o.origin, compileAllowlist(entries));
};

describe('refusals name the fix', () => {
  it.each([
    ['https://', 'has no host; write a host such as "example.com"'],
    ['.', 'has no host; write a host such as "example.com"'],
    ['\u0378.com', 'is not a valid internationalised domain name; check the spelling'],
    ['xn--a.com', 'is not a valid internationalised domain name; check the spelling'],
    ['*.localhost', 'puts a wildcard over the single-label name localhost; write "localhost", which already allows every port'],
    ['*.intranet', 'puts a wildcard over the single-label name intranet; wildcards need a registrable domain, e.g. "*.example.com"'],
    ['intranet', 'is a single-label host; only "localhost" may be listed without a dot, write the full domain name, e.g. "intranet.example.com"'],
    ['https:example.com', 'is missing "//" after the scheme; write "https://" followed by the host, e.g. "https://example.com"'],
    ['localhost:abc', 'has an invalid port "abc"; use a number from 1 to 65535, or "*" for any port'],
    ['[::1', 'is an IP address; only the loopback addresses 127.0.0.1 and [::1] may be listed, list the site\'s domain name instead, e.g. "example.com"'],
  ])('refuses %j: %s', (input, words) => {
    expect(reason(input)).toBe(words);
  });

  it('refuses an entry that is not a string', () => {
    expect(reason(42 as unknown as string)).toBe('is not a string; write a host such as "example.com"');
  });

  it('judges an entry of 300 characters by its host, and a longer one by its length', () => {
    expect(reason('a'.repeat(296) + '.com')).toContain('has a host longer than 253 characters');
    expect(reason('a'.repeat(297) + '.com')).toBe('is longer than 300 characters; write only the host, e.g. "example.com"');
  });

  it.each(['example.1a', 'example.0x7g'])('accepts %s, whose last label is no number', (input) => {
    expect(reason(input)).toBe(`accepted as ${input}`);
  });
});

describe('loopback entries', () => {
  it.each(['localhost', '127.0.0.1', '[::1]'])('%s allows http and https on any port', (host) => {
    for (const origin of [`http://${host}:5173`, `https://${host}:8443`, `http://${host}`]) expect(allows([host], origin), origin).toBe(true);
    expect(allows([host], 'http://example.com')).toBe(false);
  });
});

describe('the matcher', () => {
  // parseOrigin never yields such a host; the matcher holds the rule on its own all the same.
  it('a wildcard never matches its base behind an empty label', () => {
    const o = { scheme: 'https' as const, host: '.example.com', port: 443, origin: 'https://.example.com' };
    expect(originAllowed(o, compileAllowlist(['*.example.com']))).toBe(false);
  });

  it('reads a stored row that is no JSON array of strings as no entries, keeping the strings of one that is', () => {
    expect(parseStoredAllowlist('not json')).toEqual([]);
    expect(parseStoredAllowlist('{"0":"example.com"}')).toEqual([]);
    expect(parseStoredAllowlist('["a.example", 1, null, "b.example"]')).toEqual(['a.example', 'b.example']);
  });
});

describe('origins at request time', () => {
  it('refuses a host DNS cannot carry, which URL parsers accept', () => {
    expect(parseOrigin('https://' + 'a'.repeat(64) + '.com').ok).toBe(false);
    expect(parseOrigin('https://' + 'a'.repeat(63) + '.com').ok).toBe(true);
  });

  it('takes ports up to 65535', () => {
    expect(parseOrigin('https://example.com:65535')).toMatchObject({ ok: true, origin: { port: 65535 } });
    expect(parseOrigin('https://example.com:65536')).toEqual({ ok: false, reason: 'malformed' });
  });
});
