import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatPattern, parsePattern, type AllowPattern } from '../../../src/hub/allowlist/pattern.js';
import { MAX_ALLOWLIST_ENTRIES, normalizeAllowlist } from '../../../src/hub/allowlist/allowlist.js';

const accepted = (input: string) => {
  const r = parsePattern(input);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted, got: ${r.reason}`);
  return r;
};
const refused = (input: string) => {
  const r = parsePattern(input);
  if (r.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused, got ${r.normalized}`);
  return r.reason;
};

describe('parsePattern normalises on write', () => {
  it.each([
    ['keeps a plain host', 'example.com', 'example.com'],
    ['keeps a wildcard', '*.example.com', '*.example.com'],
    ['keeps a deep wildcard base', '*.a.b.example.com', '*.a.b.example.com'],
    ['drops https://', 'https://example.com', 'example.com'],
    ['keeps http://', 'http://example.com', 'http://example.com'],
    ['keeps http:// on a wildcard', 'http://*.example.com', 'http://*.example.com'],
    ['drops https:// on a wildcard', 'https://*.example.com', '*.example.com'],
    ['lowercases', 'HTTPS://WWW.Example.COM', 'www.example.com'],
    ['trims whitespace', '  example.com \t', 'example.com'],
    ['strips one trailing dot', 'example.com.', 'example.com'],
    ['strips a trailing dot on a wildcard', '*.example.com.', '*.example.com'],
    ['tolerates one trailing slash', 'https://example.com/', 'example.com'],
    ['tolerates a trailing slash after a port', 'example.com:8443/', 'example.com:8443'],
    ['drops port 443 on https', 'example.com:443', 'example.com'],
    ['drops port 443 with https://', 'https://example.com:443', 'example.com'],
    ['drops port 80 on http', 'http://example.com:80', 'http://example.com'],
    ['keeps port 443 on http', 'http://example.com:443', 'http://example.com:443'],
    ['keeps port 80 on https', 'example.com:80', 'example.com:80'],
    ['pins a port', 'example.com:8443', 'example.com:8443'],
    ['pins an http port', 'http://example.com:8080', 'http://example.com:8080'],
    ['keeps any-port', 'example.com:*', 'example.com:*'],
    ['keeps any-port on a wildcard', '*.example.com:*', '*.example.com:*'],
    ['drops leading zeros in a port', 'example.com:08443', 'example.com:8443'],
    ['punycodes an IDN', 'bücher.example', 'xn--bcher-kva.example'],
    ['punycodes an uppercase IDN', 'BÜCHER.example', 'xn--bcher-kva.example'],
    ['punycodes an IDN wildcard', '*.bücher.example', '*.xn--bcher-kva.example'],
    ['keeps valid punycode', 'xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['accepts a subdomain of a private suffix', 'myproject.github.io', 'myproject.github.io'],
    ['accepts a wildcard under a private suffix subdomain', '*.myproject.github.io', '*.myproject.github.io'],
    ['accepts a registrable domain under co.uk', 'example.co.uk', 'example.co.uk'],
    ['accepts digits and hyphens in labels', 'a-1.b2.example.com', 'a-1.b2.example.com'],
    ['accepts a 63-character label', `${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
  ])('%s: %s -> %s', (_claim, input, normalized) => {
    expect(accepted(input).normalized).toBe(normalized);
  });
});

describe('parsePattern loopback rules', () => {
  it.each([
    ['accepts localhost', 'localhost', 'localhost'],
    ['accepts 127.0.0.1', '127.0.0.1', '127.0.0.1'],
    ['accepts [::1]', '[::1]', '[::1]'],
    ['canonicalises a long-form ::1', '[0:0:0:0:0:0:0:1]', '[::1]'],
    ['normalises http://localhost to localhost', 'http://localhost', 'localhost'],
    ['keeps https://localhost', 'https://localhost', 'https://localhost'],
    ['keeps https:// on 127.0.0.1', 'https://127.0.0.1:8443', 'https://127.0.0.1:8443'],
    ['pins a port on localhost', 'localhost:3000', 'localhost:3000'],
    ['keeps port 80 on localhost', 'localhost:80', 'localhost:80'],
    ['keeps port 443 on localhost', 'localhost:443', 'localhost:443'],
    ['keeps port 80 on http://localhost', 'http://localhost:80', 'localhost:80'],
    ['keeps port 443 on https://localhost', 'https://localhost:443', 'https://localhost:443'],
    ['drops :* on localhost (already any port)', 'localhost:*', 'localhost'],
    ['pins a port on [::1]', '[::1]:5173', '[::1]:5173'],
    ['strips a trailing dot on localhost', 'localhost.', 'localhost'],
  ])('%s: %s -> %s', (_claim, input, normalized) => {
    const r = accepted(input);
    expect(r.normalized).toBe(normalized);
    expect(r.pattern.loopback).toBe(true);
  });

  it('marks loopback without a scheme as both schemes and any port', () => {
    expect(accepted('localhost').pattern).toEqual({ scheme: null, host: 'localhost', wildcard: false, port: null, loopback: true });
  });
  it('keeps https on a loopback pattern', () => {
    expect(accepted('https://localhost').pattern.scheme).toBe('https');
  });
  it('does not treat a .localhost subdomain as loopback', () => {
    expect(accepted('app.localhost').pattern.loopback).toBe(false);
  });
});

describe('parsePattern refuses', () => {
  it.each([
    ['refuses an empty string', '', /is empty/],
    ['refuses whitespace', '   ', /is empty/],
    ['refuses * alone', '*', /every site/],
    ['refuses *. alone', '*.', /every site/],
    ['refuses https://*', 'https://*', /every site/],
    ['refuses *:443', '*:443', /every site/],
    ['refuses *.com', '*.com', /public suffix com;.*"\*\.example\.com"/],
    ['refuses *.co.uk', '*.co.uk', /public suffix co\.uk;.*"\*\.example\.co\.uk"/],
    ['refuses *.github.io', '*.github.io', /public suffix github\.io; list your own subdomain instead, e\.g\. "myproject\.github\.io"/],
    ['refuses *.vercel.app', '*.vercel.app', /public suffix vercel\.app/],
    ['refuses *.com. with a trailing dot', '*.com.', /public suffix com/],
    ['refuses http://*.github.io', 'http://*.github.io', /public suffix github\.io/],
    ['refuses bare com', 'com', /is the public suffix com/],
    ['refuses bare co.uk', 'co.uk', /is the public suffix co\.uk.*"example\.co\.uk"/],
    ['refuses bare github.io', 'github.io', /is the public suffix github\.io.*"myproject\.github\.io"/],
    ['refuses foo.*.com', 'foo.*.com', /wrong place/],
    ['refuses *foo.com', '*foo.com', /wrong place/],
    ['refuses f*o.com', 'f*o.com', /wrong place/],
    ['refuses *.*.com', '*.*.com', /wrong place/],
    ['refuses a trailing *', 'example.*', /wrong place/],
    ['refuses a path', 'example.com/path', /contains a path \("\/path"\).*write "example\.com"/],
    ['refuses two trailing slashes', 'example.com//', /contains a path/],
    ['refuses a path after a scheme', 'http://example.com/x', /contains a path.*write "http:\/\/example\.com"/],
    ['refuses a query', 'example.com?a=1', /contains a query/],
    ['refuses a query after a slash', 'example.com/?a=1', /contains a query/],
    ['refuses a fragment', 'example.com#top', /contains a fragment/],
    ['refuses userinfo', 'user@example.com', /user info/],
    ['refuses userinfo with password', 'https://user:pw@example.com', /user info/],
    ['refuses example.com@evil.com', 'example.com@evil.com', /user info/],
    ['refuses ftp://', 'ftp://example.com', /scheme ftp:/],
    ['refuses ws://', 'ws://example.com', /scheme ws:/],
    ['refuses wss://', 'wss://example.com', /scheme wss:/],
    ['refuses file:', 'file:', /scheme file:/],
    ['refuses file:///', 'file:///etc/passwd', /scheme file:/],
    ['refuses javascript:', 'javascript:alert(1)', /scheme javascript:/],
    ['refuses data:', 'data:text/html,hi', /scheme data:/],
    ['refuses tel: (digits first, then more)', 'tel:555-0100', /scheme tel:/],
    ['refuses sms: (digits last)', 'sms:+15550100', /scheme sms:/],
    ['refuses http: without //', 'http:example.com', /missing "\/\/"/],
    ['refuses null', 'null', /opaque origin/],
    ['refuses NULL', 'NULL', /opaque origin/],
    ['refuses 10.0.0.1', '10.0.0.1', /IP address/],
    ['refuses 192.168.1.1', '192.168.1.1', /IP address/],
    ['refuses 0x7f.1', '0x7f.1', /IP address/],
    ['refuses 127.1', '127.1', /IP address/],
    ['refuses 127.000.0.1', '127.000.0.1', /IP address/],
    ['refuses 2130706433', '2130706433', /IP address/],
    ['refuses a host ending in a number', 'example.123', /IP address/],
    ['refuses IPv6 other than ::1', '[2001:db8::1]', /IP address/],
    ['refuses IPv4-mapped loopback IPv6', '[::ffff:127.0.0.1]', /IP address/],
    ['refuses unbracketed ::1', '::1', /IP address/],
    ['refuses an unclosed bracket', '[::1', /IP address/],
    ['refuses text after an IPv6 literal', '[::1]x', /unexpected text/],
    ['refuses a wildcard over an IP', '*.0.0.1', /wildcard over an IP/],
    ['refuses a single-label host', 'intranet', /single-label host/],
    ['refuses a single-label host with a port', 'intranet:8080', /single-label host/],
    ['refuses *.localhost', '*.localhost', /single-label name localhost/],
    ['refuses *.intranet', '*.intranet', /single-label name intranet/],
    ['refuses a leading hyphen', '-a.example.com', /invalid label "-a"/],
    ['refuses a trailing hyphen', 'a-.example.com', /invalid label "a-"/],
    ['refuses a 64-character label', `${'a'.repeat(64)}.com`, /invalid label/],
    ['refuses a host over 253 characters', `${'a.'.repeat(127)}com`, /longer than 253 characters, which DNS cannot carry/],
    ['refuses a wildcard no subdomain of which fits in 253 characters', `*.${'a.'.repeat(125)}ab`, /every subdomain of it would be longer than 253/],
    ['refuses an IDN whose punycode label is over 63 characters', `${'ü'.repeat(70)}.com`, /invalid label "xn--.*DNS carries no longer label/],
    ['refuses an underscore', 'a_b.example.com', /character "_"/],
    ['refuses a space inside', 'exa mple.com', /character " "/],
    ['refuses a percent escape', 'exa%41mple.com', /character "%"/],
    ['refuses a backslash', 'example.com\\evil.com', /character "\\\\"/],
    ['refuses an empty label', 'a..example.com', /empty label/],
    ['refuses two trailing dots', 'example.com..', /empty label/],
    ['refuses a leading dot', '.example.com', /empty label/],
    ['refuses invalid punycode', 'xn--zz.example.com', /internationalised/],
    ['refuses port 0', 'example.com:0', /invalid port "0"/],
    ['refuses port 65536', 'example.com:65536', /invalid port "65536"/],
    ['refuses a non-numeric port', 'example.com:abc', /invalid port "abc"/],
    ['refuses a negative port', 'example.com:-1', /invalid port "-1"/],
    ['refuses an empty port', 'example.com:', /empty port/],
    ['refuses two ports', 'example.com:80:80', /invalid port/],
    ['refuses a scheme with no host', 'https://', /no host/],
    ['refuses a port with no host', ':8080', /no host/],
    ['refuses an entry over 300 characters', `${'a'.repeat(301)}.com`, /longer than 300/],
  ])('%s (%s)', (_claim, input, reason) => {
    expect(refused(input)).toMatch(reason);
  });

  it('tells the user what to write instead in every refusal', () => {
    for (const input of ['*', '*.github.io', 'example.com/x', 'ftp://a.com', 'null', '10.0.0.1', 'intranet', 'com', 'foo.*.com', 'a@b.com', 'a.com:0']) {
      expect(refused(input)).toMatch(/;|write|use/);
    }
  });
});

describe('formatPattern', () => {
  it.each<[string, AllowPattern, string]>([
    ['prints a name', { scheme: null, host: 'example.com', wildcard: false, port: null, loopback: false }, 'example.com'],
    ['prints a wildcard with any port', { scheme: 'http', host: 'example.com', wildcard: true, port: '*', loopback: false }, 'http://*.example.com:*'],
    ['omits https on a name', { scheme: 'https', host: 'example.com', wildcard: false, port: 8443, loopback: false }, 'example.com:8443'],
    ['omits http on loopback', { scheme: 'http', host: 'localhost', wildcard: false, port: 3000, loopback: true }, 'localhost:3000'],
    ['keeps https on loopback', { scheme: 'https', host: '[::1]', wildcard: false, port: null, loopback: true }, 'https://[::1]'],
  ])('%s', (_claim, pattern, text) => {
    expect(formatPattern(pattern)).toBe(text);
  });
});

describe('normalizeAllowlist', () => {
  it('returns the normalised list in order', () => {
    expect(normalizeAllowlist(['https://Example.com/', '*.example.com', 'localhost:3000'])).toEqual({
      ok: true,
      list: ['example.com', '*.example.com', 'localhost:3000'],
    });
  });
  it('collapses duplicates after normalisation, keeping the first position', () => {
    expect(normalizeAllowlist(['b.example.com', 'example.com', 'https://EXAMPLE.com:443', 'b.example.com.'])).toEqual({
      ok: true,
      list: ['b.example.com', 'example.com'],
    });
  });
  it('accepts an empty list', () => {
    expect(normalizeAllowlist([])).toEqual({ ok: true, list: [] });
  });
  it('reports every refused entry with its index and the entry as given', () => {
    const r = normalizeAllowlist(['example.com', '*', 'ok.example.com', '*.github.io']);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]).toMatch(/^domain_allowlist\[1\]: "\*" would allow every site/);
    expect(r.errors[1]).toBe(
      'domain_allowlist[3]: "*.github.io" would allow every site under the public suffix github.io; list your own subdomain instead, e.g. "myproject.github.io"',
    );
  });
  it('JSON-quotes the entry as given, untrimmed', () => {
    const r = normalizeAllowlist([' a"b.com ']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^domain_allowlist\[0\]: " a\\"b\.com " /);
  });
  it(`accepts ${MAX_ALLOWLIST_ENTRIES} entries`, () => {
    const entries = Array.from({ length: MAX_ALLOWLIST_ENTRIES }, (_, i) => `s${i}.example.com`);
    const r = normalizeAllowlist(entries);
    expect(r.ok && r.list.length).toBe(MAX_ALLOWLIST_ENTRIES);
  });
  it('refuses 101 entries with one message', () => {
    const entries = Array.from({ length: 101 }, (_, i) => `s${i}.example.com`);
    expect(normalizeAllowlist(entries)).toEqual({
      ok: false,
      errors: [
        'domain_allowlist: 101 entries given, at most 100 are allowed; use a wildcard such as "*.example.com" to cover many subdomains',
      ],
    });
  });
});

// Generators for pattern-like text: mostly plausible pieces, with hostile ones mixed in.
const label = fc.constantFrom('a', 'b', 'www', 'example', 'com', 'co', 'uk', 'github', 'io', 'xn--bcher-kva', 'bücher', 'A-1', 'localhost', '127', '0', '*', '', '-x', 'x_y');
const patternText = fc
  .tuple(
    fc.constantFrom('', 'http://', 'https://', 'HTTP://', 'ftp://', 'http:'),
    fc.boolean(),
    fc.array(label, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('', '.', '/', '//', '?q'),
    fc.constantFrom('', ':80', ':443', ':8080', ':*', ':0', ':', ':65536'),
  )
  .map(([scheme, wild, labels, tail, port]) => `${scheme}${wild ? '*.' : ''}${labels.join('.')}${port}${tail}`);
const loopbackText = fc
  .tuple(fc.constantFrom('', 'http://', 'https://'), fc.constantFrom('localhost', '127.0.0.1', '[::1]', 'LocalHost'), fc.constantFrom('', ':80', ':443', ':3000', ':*'))
  .map(([s, h, p]) => s + h + p);

describe('pattern properties', () => {
  it('normalising an accepted pattern twice changes nothing', () => {
    fc.assert(
      fc.property(fc.oneof(patternText, loopbackText, fc.string()), (text) => {
        const r = parsePattern(text);
        if (!r.ok) return;
        const again = parsePattern(r.normalized);
        expect(again.ok).toBe(true);
        if (!again.ok) return;
        expect(again.normalized).toBe(r.normalized);
        expect(again.pattern).toEqual(r.pattern);
        expect(formatPattern(r.pattern)).toBe(r.normalized);
      }),
      { numRuns: 2000 },
    );
  });

  it('an accepted pattern is lowercase ASCII with no path, query, userinfo or stray "*"', () => {
    fc.assert(
      fc.property(fc.oneof(patternText, loopbackText), (text) => {
        const r = parsePattern(text);
        if (!r.ok) return;
        expect(r.normalized).toMatch(/^(?:https?:\/\/)?(?:\*\.)?[a-z0-9.\-[\]:]+(?::(?:\d+|\*))?$/);
        expect(r.pattern.host).not.toContain('*');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        const r = parsePattern(text);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
