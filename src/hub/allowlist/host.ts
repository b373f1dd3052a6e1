/**
 * The host part of an allowlist entry: wildcard placement, IDN to punycode, IP addresses, DNS label
 * syntax and the public-suffix guard. Kept apart from the scheme/port syntax in pattern.ts.
 *
 * The host accepted here is the one a browser would put in an `Origin` header (WHATWG URL host
 * serialisation), so that a CSP3 "host-part" comparison against a parsed origin is plain string
 * equality (or a suffix check for `*.` wildcards).
 */
import { domainToASCII } from 'node:url';
import { parse as parseDomain } from 'tldts';

type HostResult =
  | { ok: true; host: string; wildcard: boolean; loopback: boolean }
  | { ok: false; reason: string };

const MAX_HOST_LENGTH = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** WHATWG URL "ends in a number": such a host is parsed as IPv4 (or fails), never as a name. */
const NUMERIC_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/;
/** Characters that may appear in a host before IDN mapping (non-ASCII is left to domainToASCII). */
const FORBIDDEN_ASCII = /[^a-z0-9.\-\u0080-\uffff]/;

const IP_REASON =
  'is an IP address; only the loopback addresses 127.0.0.1 and [::1] may be listed, list the site\'s domain name instead, e.g. "example.com"';
const WILDCARD_PLACEMENT_REASON =
  'has "*" in the wrong place; a wildcard must be the whole leftmost label followed by a dot, e.g. "*.example.com"';

/** The hosts parsed as loopback below, in their canonical form: the only ones a test key works on. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

const fail = (reason: string): HostResult => ({ ok: false, reason });

/** `raw` is ASCII-lowercased, without scheme, port or path. */
export function parseHost(raw: string): HostResult {
  if (raw === '*' || raw === '*.') {
    return fail('would allow every site; list your own domains instead, e.g. "example.com" or "*.example.com"');
  }
  if (raw.startsWith('[')) return parseBracketedHost(raw);

  // CSP3 host-source: only a leading "*." is a wildcard; a "*" anywhere else is a literal that no
  // real host can contain, so accepting it would store a row that silently never matches.
  const wildcard = raw.startsWith('*.');
  let host = wildcard ? raw.slice(2) : raw;
  if (host.includes('*')) return fail(WILDCARD_PLACEMENT_REASON);

  const bad = FORBIDDEN_ASCII.exec(host);
  if (bad) {
    return fail(`contains the character ${JSON.stringify(bad[0])}, which cannot appear in a host name; write only the host, e.g. "example.com"`);
  }
  if (/[^\x00-\x7f]/.test(host)) {
    // Browsers serialise IDNs in punycode (UTS #46 mapping), so that is the form an Origin will carry.
    host = domainToASCII(host);
    if (host === '') return fail('is not a valid internationalised domain name; check the spelling');
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '') return fail('has no host; write a host such as "example.com"');

  const labels = host.split('.');
  if (NUMERIC_LABEL.test(labels[labels.length - 1]!)) {
    if (wildcard) return fail('puts a wildcard over an IP address; wildcards only work on domain names, e.g. "*.example.com"');
    // Exactly the canonical spelling: odd forms (127.1, 0x7f.1) are refused rather than guessed at.
    // Stryker disable next-line BooleanLiteral: pattern.ts gives every loopback pattern wildcard: false, whatever this says
    if (host === '127.0.0.1') return { ok: true, host, wildcard: false, loopback: true };
    return fail(IP_REASON);
  }

  // What DNS can carry (RFC 1035 §2.3.4): 253 octets in all, 63 per label (checked below).
  if (host.length > MAX_HOST_LENGTH) return fail(`has a host longer than ${MAX_HOST_LENGTH} characters, which DNS cannot carry; list the real, shorter host name`);
  if (wildcard && host.length > MAX_HOST_LENGTH - 2) {
    return fail(`puts a wildcard over a ${host.length}-character name; every subdomain of it would be longer than ${MAX_HOST_LENGTH} characters, which DNS cannot carry`);
  }
  for (const label of labels) {
    if (label === '') return fail('has an empty label (a leading dot or two dots in a row); write a host such as "example.com"');
    if (!LABEL.test(label)) {
      return fail(
        `has an invalid label ${JSON.stringify(label)}; a label is 1 to 63 letters, digits or "-" (DNS carries no longer label), not starting or ending with "-"`,
      );
    }
  }
  // A punycode label that does not decode would never be produced by a browser.
  // Stryker disable next-line StringLiteral: checking every host is the same; domainToASCII gives an LDH label that is not punycode back unchanged
  if (labels.some((l) => l.startsWith('xn--')) && domainToASCII(host) !== host) {
    return fail('is not a valid internationalised domain name; check the spelling');
  }

  // Public Suffix List, private section included: "*.github.io" or "vercel.app" would hand the
  // widget to every tenant of a shared hosting domain. A single label is checked here too, so that
  // "*.com" is called what it is; unknown single labels ("intranet") fall to the check below.
  // Stryker disable next-line BooleanLiteral: `host` is a bare host name already, which extracting gives back unchanged
  const info = parseDomain(host, { allowPrivateDomains: true, extractHostname: false });
  const suffix = info.publicSuffix;
  // A host of several labels is its own suffix only by a rule of the list, which marks it ICANN or private.
  const listed = info.isIcann === true || info.isPrivate === true;
  if (listed && suffix === host) {
    const example = info.isPrivate ? `myproject.${suffix}` : `example.${suffix}`;
    if (wildcard) {
      return fail(
        info.isPrivate
          ? `would allow every site under the public suffix ${suffix}; list your own subdomain instead, e.g. "${example}"`
          : `would allow every site under the public suffix ${suffix}; list your own domain instead, e.g. "*.${example}"`,
      );
    }
    return fail(`is the public suffix ${suffix}, not a site; list your own domain under it instead, e.g. "${example}"`);
  }

  if (labels.length === 1) {
    if (wildcard) {
      return fail(
        host === 'localhost'
          ? 'puts a wildcard over the single-label name localhost; write "localhost", which already allows every port'
          : `puts a wildcard over the single-label name ${host}; wildcards need a registrable domain, e.g. "*.example.com"`,
      );
    }
    // Stryker disable next-line BooleanLiteral: pattern.ts gives every loopback pattern wildcard: false, whatever this says
    if (host === 'localhost') return { ok: true, host, wildcard: false, loopback: true };
    return fail(`is a single-label host; only "localhost" may be listed without a dot, write the full domain name, e.g. "${host}.example.com"`);
  }
  return { ok: true, host, wildcard, loopback: false };
}

function parseBracketedHost(raw: string): HostResult {
  // Stryker disable next-line ConditionalExpression,StringLiteral: the URL parser refuses an unclosed "[" too, with the same reason below
  if (!raw.endsWith(']')) return fail(IP_REASON);
  let canonical: string;
  try {
    // Let the URL parser canonicalise IPv6 ([0:0::1] -> [::1]), as the browser does for Origin.
    canonical = new URL(`http://${raw}/`).hostname;
  } /* Stryker disable next-line BlockStatement: without this return `canonical` is undefined, refused below with the same reason */ catch {
    return fail(IP_REASON);
  }
  // Stryker disable next-line BooleanLiteral: pattern.ts gives every loopback pattern wildcard: false, whatever this says
  if (canonical === '[::1]') return { ok: true, host: canonical, wildcard: false, loopback: true };
  return fail(IP_REASON);
}
