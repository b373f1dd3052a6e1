/**
 * The request-time `Origin` header, parsed strictly. Browsers send the ASCII serialisation of an
 * origin (`scheme://host[:port]`, punycode host, default port omitted); anything else did not come
 * from a browser following the spec and is denied rather than repaired. `Referer` is never used.
 */
import { memoByText } from '../memo.js';

export interface ParsedOrigin {
  scheme: 'http' | 'https';
  host: string;
  port: number /* effective: 80/443 when absent */;
  origin: string /* canonical `scheme://host[:port]`, default port omitted */;
}

export type OriginResult = { ok: true; origin: ParsedOrigin } | { ok: false; reason: 'missing' | 'null' | 'malformed' };

/** Longer than any real origin (a 253-character host plus scheme and port). */
const MAX_ORIGIN_LENGTH = 300;
/** What DNS can carry (RFC 1035 §2.3.4): a host name of at most 253 octets, each label at most 63. */
const MAX_HOST_LENGTH = 253;
const MAX_LABEL = /[^.]{64}/;
/** Printable ASCII only: rules out whitespace, control characters and any Unicode host. */
const NOT_PRINTABLE_ASCII = /[^\x21-\x7e]/;
/** scheme://host[:port]; no userinfo, "%", path, trailing dot, empty label, port 0 or leading zero. */
// Stryker disable next-line Regex: equivalent without `^`: whatever came before the match changes the URL parser's origin, refused below
const ORIGIN = /^(https?):\/\/((?:[a-z0-9-]+\.)*[a-z0-9-]+|\[[0-9a-f:.]+\])(?::([1-9][0-9]{0,4}))?$/;

const MISSING: OriginResult = { ok: false, reason: 'missing' };
const NULL: OriginResult = { ok: false, reason: 'null' };
const MALFORMED: OriginResult = { ok: false, reason: 'malformed' };

/**
 * Results by header value (memo.ts). A site's visitors send the same few origins all day, and the URL
 * parse below is most of what the origin check of a handshake costs. The results are frozen, since every
 * caller gets the same object.
 */
const SEEN_MAX = 10_000;
const parseRemembered = memoByText(SEEN_MAX, (header) => {
  const result = parseUncached(header);
  // Stryker disable next-line ConditionalExpression: a refusal has no origin, and freezing undefined does nothing
  if (result.ok) Object.freeze(result.origin);
  return Object.freeze(result);
});

export function parseOrigin(header: string | string[] | undefined): OriginResult {
  // Stryker disable next-line ConditionalExpression: an array or undefined looked up and kept gives the same answer; only memory is spent
  return typeof header === 'string' ? parseRemembered(header) : parseUncached(header);
}

function parseUncached(header: string | string[] | undefined): OriginResult {
  let value: string | undefined;
  if (Array.isArray(header)) {
    // Two Origin headers mean a proxy or client is doing something odd: which one would we trust?
    if (header.length > 1) return MALFORMED;
    value = header[0];
  } else {
    value = header;
  }
  if (value === undefined || value === '') return MISSING;
  // DESIGN.md's bound, checked before any parsing. Equivalent under mutation: Node's header values are
  // strings, and every longer origin also has a host over 253 characters, refused below.
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: see above
  if (typeof value !== 'string' || value.length > MAX_ORIGIN_LENGTH) return MALFORMED;
  if (NOT_PRINTABLE_ASCII.test(value)) return MALFORMED;

  const lower = value.toLowerCase();
  if (lower === 'null') return NULL;
  const m = ORIGIN.exec(lower);
  if (!m) return MALFORMED;
  const scheme = m[1] as 'http' | 'https';
  const host = m[2]!;
  // URL parsers accept such names, but no DNS lookup can resolve them: no page is served from one.
  if (host.length > MAX_HOST_LENGTH || MAX_LABEL.test(host)) return MALFORMED;
  const defaultPort = scheme === 'https' ? 443 : 80;
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  const origin = port === defaultPort ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;

  // The regex checks shape; the WHATWG URL parser checks the host is already in canonical form,
  // which rejects odd IPv4 (127.1, 0x7f.0.0.1, 127.000.0.1), long-form IPv6 and bad punycode.
  let serialised: string;
  try {
    serialised = new URL(lower).origin;
  } /* Stryker disable next-line BlockStatement: without this return `serialised` stays undefined, which the check below refuses too */ catch {
    return MALFORMED;
  }
  if (serialised !== origin) return MALFORMED;
  return { ok: true, origin: { scheme, host, port, origin } };
}
