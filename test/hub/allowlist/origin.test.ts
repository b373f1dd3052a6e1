import { describe, it, expect, vi } from 'vitest';
import fc from 'fast-check';
import { parseOrigin } from '../../../src/hub/allowlist/origin.js';

describe('parseOrigin accepts', () => {
  it.each([
    ['an https origin', 'https://example.com', 'https', 'example.com', 443, 'https://example.com'],
    ['an http origin', 'http://example.com', 'http', 'example.com', 80, 'http://example.com'],
    ['a port', 'https://example.com:8443', 'https', 'example.com', 8443, 'https://example.com:8443'],
    ['port 443 on http', 'http://example.com:443', 'http', 'example.com', 443, 'http://example.com:443'],
    ['port 80 on https', 'https://example.com:80', 'https', 'example.com', 80, 'https://example.com:80'],
    ['and drops an explicit 443', 'https://a.com:443', 'https', 'a.com', 443, 'https://a.com'],
    ['and drops an explicit 80', 'http://a.com:80', 'http', 'a.com', 80, 'http://a.com'],
    ['port 65535', 'https://a.com:65535', 'https', 'a.com', 65535, 'https://a.com:65535'],
    ['uppercase and lowercases it', 'HTTPS://WWW.Example.COM', 'https', 'www.example.com', 443, 'https://www.example.com'],
    ['punycode', 'https://xn--bcher-kva.example', 'https', 'xn--bcher-kva.example', 443, 'https://xn--bcher-kva.example'],
    ['localhost with a port', 'http://localhost:3000', 'http', 'localhost', 3000, 'http://localhost:3000'],
    ['127.0.0.1', 'http://127.0.0.1:8080', 'http', '127.0.0.1', 8080, 'http://127.0.0.1:8080'],
    ['[::1]', 'http://[::1]:5173', 'http', '[::1]', 5173, 'http://[::1]:5173'],
    ['a one-element array', ['https://example.com'], 'https', 'example.com', 443, 'https://example.com'],
    ['a 63-octet label', `https://${'a'.repeat(63)}.com`, 'https', `${'a'.repeat(63)}.com`, 443, `https://${'a'.repeat(63)}.com`],
    ['a 253-octet host', `https://${'a.'.repeat(125)}abc`, 'https', `${'a.'.repeat(125)}abc`, 443, `https://${'a.'.repeat(125)}abc`],
  ])('accepts %s', (_claim, header, scheme, host, port, origin) => {
    expect(parseOrigin(header)).toEqual({ ok: true, origin: { scheme, host, port, origin } });
  });
});

describe('parseOrigin refuses', () => {
  it.each<[string, string | string[] | undefined, 'missing' | 'null' | 'malformed']>([
    ['a missing header', undefined, 'missing'],
    ['an empty array', [], 'missing'],
    ['an empty string', '', 'missing'],
    ['null', 'null', 'null'],
    ['NULL in capitals', 'NULL', 'null'],
    ['two header values', ['https://a.com', 'https://a.com'], 'malformed'],
    ['whitespace around', ' https://a.com', 'malformed'],
    ['a trailing newline', 'https://a.com\n', 'malformed'],
    ['whitespace only', '   ', 'malformed'],
    ['a trailing slash', 'https://a.com/', 'malformed'],
    ['a trailing dot', 'https://a.com.', 'malformed'],
    ['a trailing dot before a port', 'https://a.com.:8443', 'malformed'],
    ['an empty label', 'https://a..com', 'malformed'],
    ['a path', 'https://a.com/x', 'malformed'],
    ['a query', 'https://a.com?x', 'malformed'],
    ['a fragment', 'https://a.com#x', 'malformed'],
    ['userinfo', 'https://user@a.com', 'malformed'],
    ['example.com@evil.com', 'https://example.com@evil.com', 'malformed'],
    ['a percent escape', 'https://ex%61mple.com', 'malformed'],
    ['a Unicode host', 'https://bücher.example', 'malformed'],
    ['a Kelvin sign that lowercases to k', 'https://\u212Aa.com', 'malformed'],
    ['an ftp origin', 'ftp://a.com', 'malformed'],
    ['a ws origin', 'ws://a.com', 'malformed'],
    ['a file origin', 'file://', 'malformed'],
    ['no scheme', 'a.com', 'malformed'],
    ['a single slash', 'https:/a.com', 'malformed'],
    ['http:127.1', 'http://127.1', 'malformed'],
    ['a hex IPv4', 'http://0x7f.0.0.1', 'malformed'],
    ['a zero-padded IPv4', 'http://127.000.0.1', 'malformed'],
    ['a decimal IPv4', 'http://2130706433', 'malformed'],
    ['a long-form IPv6', 'http://[0:0:0:0:0:0:0:1]', 'malformed'],
    ['an unbracketed IPv6', 'http://::1', 'malformed'],
    ['a host ending in a number', 'https://example.123', 'malformed'],
    ['invalid punycode', 'https://xn--zz.com', 'malformed'],
    ['port 0', 'https://a.com:0', 'malformed'],
    ['port 65536', 'https://a.com:65536', 'malformed'],
    ['port 99999', 'https://a.com:99999', 'malformed'],
    ['a port with a leading zero', 'https://a.com:0443', 'malformed'],
    ['an empty port', 'https://a.com:', 'malformed'],
    ['a wildcard host', 'https://*.a.com', 'malformed'],
    ['over 300 characters', `https://${'a.'.repeat(150)}com`, 'malformed'],
    ['a 64-octet label, which DNS cannot carry', `https://${'a'.repeat(64)}.com`, 'malformed'],
    ['a 254-octet host, which DNS cannot carry', `https://${'a.'.repeat(125)}abcd`, 'malformed'],
  ])('refuses %s', (_claim, header, reason) => {
    expect(parseOrigin(header)).toEqual({ ok: false, reason });
  });
});

describe('origin properties', () => {
  const host = fc
    .array(fc.constantFrom('a', 'b', 'example', 'com', 'xn--bcher-kva', 'x-1'), { minLength: 1, maxLength: 4 })
    .map((ls) => ls.join('.'));
  const origin = fc.tuple(fc.constantFrom('http', 'https'), host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }));

  it('the canonical origin parses to itself', () => {
    fc.assert(
      fc.property(origin, ([scheme, h, port]) => {
        const r = parseOrigin(`${scheme}://${h}${port === undefined ? '' : `:${port}`}`);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.origin.host).toBe(h);
        expect(r.origin.port).toBe(port ?? (scheme === 'https' ? 443 : 80));
        expect(parseOrigin(r.origin.origin)).toEqual(r);
        expect(r.origin.origin).toBe(new URL(r.origin.origin).origin);
      }),
    );
  });

  it('an accepted origin always agrees with the URL parser', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        for (const text of [s, `https://${s}`]) {
          const r = parseOrigin(text);
          if (r.ok) expect(new URL(text).origin).toBe(r.origin.origin);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseOrigin remembers', () => {
  it('answers a repeated header as the first time, accepted or refused', () => {
    for (const header of ['https://again.example', 'https://again.example/', 'null', '']) {
      const first = structuredClone(parseOrigin(header));
      expect(parseOrigin(header)).toEqual(first);
    }
  });

  it('hands out results no caller can change', () => {
    const r = parseOrigin('https://frozen.example');
    if (!r.ok) throw new Error('expected an accepted origin');
    expect(() => Object.assign(r.origin, { origin: 'https://evil.example' })).toThrow(TypeError);
    expect(parseOrigin('https://frozen.example')).toEqual({ ok: true, origin: { scheme: 'https', host: 'frozen.example', port: 443, origin: 'https://frozen.example' } });
  });

  it('gives every caller of a header the same result object', () => {
    const first = parseOrigin('https://same.example');
    expect(parseOrigin('https://same.example')).toBe(first);
  });

  it('keeps 10,000 distinct headers, then starts over', async () => {
    // A fresh module: the cache is empty, so the count below is exact.
    vi.resetModules();
    const fresh = (await import('../../../src/hub/allowlist/origin.js')).parseOrigin;
    const first = fresh('https://h0.example');
    for (let i = 1; i < 10_000; i++) fresh(`https://h${i}.example`);
    expect(fresh('https://h0.example')).toBe(first);
    fresh('https://h10000.example');
    const again = fresh('https://h0.example');
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('still parses correctly after more distinct headers than it keeps', () => {
    for (let i = 0; i < 10_050; i++) parseOrigin(`https://h${i}.example`);
    expect(parseOrigin('https://h0.example')).toEqual({ ok: true, origin: { scheme: 'https', host: 'h0.example', port: 443, origin: 'https://h0.example' } });
    expect(parseOrigin('https://h0.example/').ok).toBe(false);
  });
});
