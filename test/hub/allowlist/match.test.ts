import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileAllowlist, originAllowed } from '../../../src/hub/allowlist/allowlist.js';
import { parseOrigin } from '../../../src/hub/allowlist/origin.js';
import { parsePattern } from '../../../src/hub/allowlist/pattern.js';

/** The whole request-time path: header -> parsed origin -> decision against stored rows. */
function allows(stored: string[], header: string): boolean {
  const o = parseOrigin(header);
  if (!o.ok) return false;
  return originAllowed(o.origin, compileAllowlist(stored));
}

describe('originAllowed: names', () => {
  it.each<[string, string, string, boolean]>([
    ['allows the exact host', 'example.com', 'https://example.com', true],
    ['allows an explicit 443', 'example.com', 'https://example.com:443', true],
    ['matches case-insensitively', 'example.com', 'HTTPS://EXAMPLE.COM', true],
    ['denies http on an https-only pattern', 'example.com', 'http://example.com', false],
    ['denies another port', 'example.com', 'https://example.com:8443', false],
    ['denies www', 'example.com', 'https://www.example.com', false],
    ['denies a suffix trick', 'example.com', 'https://example.com.evil.com', false],
    ['denies a prefix trick', 'example.com', 'https://evilexample.com', false],
    ['denies a userinfo trick', 'example.com', 'https://example.com@evil.com', false],
    ['denies a trailing-dot origin', 'example.com', 'https://example.com.', false],
    ['denies a trailing-slash origin', 'example.com', 'https://example.com/', false],
    ['denies a parent domain', 'www.example.com', 'https://example.com', false],
    ['allows a subdomain of a wildcard', '*.example.com', 'https://a.example.com', true],
    ['allows a deep subdomain of a wildcard', '*.example.com', 'https://a.b.c.example.com', true],
    ['denies the apex of a wildcard', '*.example.com', 'https://example.com', false],
    ['denies a wildcard prefix trick', '*.example.com', 'https://evilexample.com', false],
    ['denies a wildcard suffix trick', '*.example.com', 'https://a.example.com.evil.com', false],
    ['denies http on a wildcard', '*.example.com', 'http://a.example.com', false],
    ['allows http on an http pattern', 'http://example.com', 'http://example.com', true],
    ['allows https on an http pattern', 'http://example.com', 'https://example.com', true],
    ['denies http on 443 for an http pattern', 'http://example.com', 'http://example.com:443', false],
    ['denies https on 80 for an http pattern', 'http://example.com', 'https://example.com:80', false],
    ['allows http on a wildcard http pattern', 'http://*.example.com', 'http://a.example.com', true],
    ['allows a pinned port', 'example.com:8443', 'https://example.com:8443', true],
    ['denies the default port when pinned', 'example.com:8443', 'https://example.com', false],
    ['denies http on a pinned https port', 'example.com:8443', 'http://example.com:8443', false],
    ['allows http on a pinned http port', 'http://example.com:8080', 'http://example.com:8080', true],
    ['allows https on a pinned http port', 'http://example.com:8080', 'https://example.com:8080', true],
    ['denies another port on a pinned http port', 'http://example.com:8080', 'http://example.com', false],
    ['allows http on 443 when pinned', 'http://example.com:443', 'http://example.com:443', true],
    ['allows https on 443 with http pinned to 443', 'http://example.com:443', 'https://example.com', true],
    ['allows any port with :*', 'example.com:*', 'https://example.com:1234', true],
    ['allows the default port with :*', 'example.com:*', 'https://example.com', true],
    ['denies http with an https :*', 'example.com:*', 'http://example.com:1234', false],
    ['allows http any port with http :*', 'http://example.com:*', 'http://example.com:1234', true],
    ['allows an IDN by its punycode', 'bücher.example', 'https://xn--bcher-kva.example', true],
    ['denies an IDN origin in Unicode', 'bücher.example', 'https://bücher.example', false],
    ['denies a null origin', 'example.com', 'null', false],
    ['denies a non-canonical IPv4', '127.0.0.1', 'http://127.1', false],
    ['denies a private-suffix neighbour', 'myproject.github.io', 'https://evil.github.io', false],
  ])('%s (%s vs %s)', (_claim, pattern, header, expected) => {
    expect(allows([pattern], header)).toBe(expected);
  });
});

describe('originAllowed: loopback', () => {
  it.each<[string, string, string, boolean]>([
    ['allows http on localhost', 'localhost', 'http://localhost', true],
    ['allows https on localhost', 'localhost', 'https://localhost', true],
    ['allows any port on localhost', 'localhost', 'http://localhost:3000', true],
    ['allows a high port on localhost', 'localhost', 'https://localhost:65535', true],
    ['pins a port on localhost', 'localhost:3000', 'http://localhost:3000', true],
    ['pins a port on localhost for https too', 'localhost:3000', 'https://localhost:3000', true],
    ['denies another port when pinned', 'localhost:3000', 'http://localhost:3001', false],
    ['denies the default port when pinned', 'localhost:3000', 'http://localhost', false],
    ['keeps port 80 on localhost', 'localhost:80', 'http://localhost', true],
    ['keeps port 80 pinned on localhost', 'localhost:80', 'https://localhost', false],
    ['keeps port 443 pinned on localhost', 'localhost:443', 'https://localhost', true],
    ['denies http on https://localhost', 'https://localhost', 'http://localhost:3000', false],
    ['allows https any port on https://localhost', 'https://localhost', 'https://localhost:3000', true],
    ['allows 127.0.0.1', '127.0.0.1', 'http://127.0.0.1:8080', true],
    ['allows [::1]', '[::1]', 'http://[::1]:8080', true],
    ['keeps localhost distinct from 127.0.0.1', 'localhost', 'http://127.0.0.1', false],
    ['keeps 127.0.0.1 distinct from [::1]', '127.0.0.1', 'http://[::1]', false],
    ['keeps [::1] distinct from localhost', '[::1]', 'http://localhost', false],
    ['denies a localhost subdomain', 'localhost', 'http://a.localhost', false],
    ['denies localhost for a name pattern', 'example.com', 'http://localhost', false],
  ])('%s (%s vs %s)', (_claim, pattern, header, expected) => {
    expect(allows([pattern], header)).toBe(expected);
  });
});

describe('allowlists', () => {
  it('an empty allowlist denies every origin', () => {
    expect(allows([], 'https://example.com')).toBe(false);
    expect(allows([], 'http://localhost')).toBe(false);
  });
  it('allows when any pattern matches', () => {
    expect(allows(['a.example.com', '*.example.org', 'localhost:3000'], 'https://x.example.org')).toBe(true);
  });
  it('ignores a corrupt stored row', () => {
    expect(compileAllowlist(['*', 'example.com', '*.com', 'not a host', 'http://x.com/path', ''])).toEqual([
      { scheme: null, host: 'example.com', wildcard: false, port: null, loopback: false },
    ]);
  });
  it('never matches through a corrupt stored row', () => {
    expect(allows(['*'], 'https://evil.com')).toBe(false);
    expect(allows(['*.com'], 'https://evil.com')).toBe(false);
    expect(allows(['example.com/'.repeat(2)], 'https://example.com')).toBe(false);
    expect(allows(['*', 'good.example.com'], 'https://good.example.com')).toBe(true);
  });
  it('denies a missing, null or duplicated header', () => {
    const patterns = compileAllowlist(['example.com']);
    for (const h of [undefined, 'null', ['https://example.com', 'https://example.com']]) {
      const o = parseOrigin(h);
      expect(o.ok && originAllowed(o.origin, patterns)).toBe(false);
    }
  });
});

// Small alphabets so generated origins and patterns collide often.
const labels = fc.array(fc.constantFrom('a', 'example', 'com', 'org'), { minLength: 1, maxLength: 3 });
const anyHost = fc.oneof(labels.map((ls) => ls.join('.')), fc.constantFrom('localhost', '127.0.0.1', '[::1]'));
// Prefixes make subdomains of generated bases, and ("evil", no dot) prefix tricks like evilexample.com.
const originText = fc
  .tuple(fc.constantFrom('http', 'https'), fc.constantFrom('', '', 'a.', 'b.a.', 'evil'), anyHost, fc.constantFrom('', ':80', ':443', ':3000', ':8443'))
  .map(([s, pre, h, p]) => `${s}://${pre}${h}${p}`);
const patternText = fc
  .tuple(
    fc.constantFrom('', 'http://', 'https://'),
    fc.boolean(),
    anyHost,
    fc.constantFrom('', ':80', ':443', ':3000', ':8443', ':*'),
  )
  .map(([s, w, h, p]) => `${s}${w ? '*.' : ''}${h}${p}`);

describe('match properties', () => {
  it('an allowed origin has the pattern host, or (wildcard) ends with "." + the base', () => {
    fc.assert(
      fc.property(fc.array(patternText, { maxLength: 4 }), originText, (stored, header) => {
        const o = parseOrigin(header);
        if (!o.ok) return;
        const patterns = compileAllowlist(stored);
        if (!originAllowed(o.origin, patterns)) return;
        const h = o.origin.host;
        expect(patterns.some((p) => (p.wildcard ? h.endsWith(`.${p.host}`) : h === p.host))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('an empty allowlist allows nothing', () => {
    fc.assert(
      fc.property(fc.oneof(originText, fc.string()), (header) => {
        const o = parseOrigin(header);
        if (o.ok) expect(originAllowed(o.origin, compileAllowlist([]))).toBe(false);
      }),
    );
  });

  it('a non-wildcard https pattern without port allows "https://" + its host', () => {
    fc.assert(
      fc.property(patternText, (text) => {
        const r = parsePattern(text);
        if (!r.ok || r.pattern.wildcard || r.pattern.port !== null || r.pattern.scheme === 'http') return;
        const o = parseOrigin(`https://${r.pattern.host}`);
        expect(o.ok).toBe(true);
        if (o.ok) expect(originAllowed(o.origin, [r.pattern])).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the origin it was written as, through store and compile', () => {
    fc.assert(
      fc.property(originText, (header) => {
        const o = parseOrigin(header);
        if (!o.ok) return;
        // An origin written as an allowlist entry must admit that same origin.
        const stored = parsePattern(o.origin.origin);
        if (!stored.ok) return; // e.g. single-label or public-suffix hosts are refused on write
        expect(originAllowed(o.origin, compileAllowlist([stored.normalized]))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
