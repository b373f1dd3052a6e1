/**
 * One allowlist entry: parse what a site owner wrote into a pattern with the meaning of a CSP3
 * `frame-ancestors` host-source, and print it back in one canonical form.
 *
 * Canonical form: `[http://|https:// (loopback only)]host[:port|:*]`, a wildcard as `*.base`.
 * Scheme and port defaults follow CSP3 "scheme-part" / "port-part" matching (see match in
 * allowlist.ts); the host rules live in host.ts.
 */
import { parseHost } from './host.js';

export interface AllowPattern {
  scheme: 'http' | 'https' | null; // null = default (https for names; http+https for loopback)
  host: string; // lowercase ASCII; for a wildcard, the base without "*." ; IPv6 loopback as "[::1]"
  wildcard: boolean;
  port: number | '*' | null; // null = default port of the origin's scheme (names) / any port (loopback)
  loopback: boolean;
}

type PatternResult =
  | { ok: true; pattern: AllowPattern; normalized: string }
  | { ok: false; reason: string };

/** Longest entry accepted: a 253-character host with scheme and port fits well within it. */
const MAX_ENTRY_LENGTH = 300;
/** A URL scheme at the start of the entry (RFC 3986 syntax). */
const SCHEME = /^([a-z][a-z0-9+.-]*):/;
/** What may follow `host:` — a port (possibly bad, like "0" or "99999"), "*", an optional "/". */
const PORT_LIKE = /^(?:[0-9]+|\*)\/?$/;

const fail = (reason: string): PatternResult => ({ ok: false, reason });

/** reason is the part after `domain_allowlist[i]: "entry" ` */
export function parsePattern(input: string): PatternResult {
  if (typeof input !== 'string') return fail('is not a string; write a host such as "example.com"');
  // Lowercase ASCII only: non-ASCII case folding is left to the IDN mapping in host.ts.
  const s = input.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (s === '') return fail('is empty; write a host such as "example.com"');
  if (s.length > MAX_ENTRY_LENGTH) return fail(`is longer than ${MAX_ENTRY_LENGTH} characters; write only the host, e.g. "example.com"`);
  if (s === 'null') {
    return fail('is the opaque origin "null" (sandboxed frames, file: pages), which cannot be told apart from any other; list the site\'s host instead, e.g. "example.com"');
  }

  let scheme: 'http' | 'https' | null = null;
  let rest = s;
  const m = SCHEME.exec(s);
  if (m) {
    const name = m[1]!;
    const after = s.slice(name.length + 1);
    if (after.startsWith('//')) {
      if (name !== 'http' && name !== 'https') return schemeRefused(name);
      scheme = name;
      rest = after.slice(2);
    } else if (!name.includes('.') && name !== 'localhost' && !PORT_LIKE.test(after)) {
      // "javascript:…", "file:", "http:example.com" — not a "host:port".
      if (name !== 'http' && name !== 'https') return schemeRefused(name);
      return fail(`is missing "//" after the scheme; write "${name}://" followed by the host, e.g. "${name}://example.com"`);
    }
  }

  // Split authority from whatever follows it; only one trailing "/" is tolerated.
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const tail = end === -1 ? '' : rest.slice(end);
  const written = (scheme ? `${scheme}://` : '') + authority;
  if (authority.includes('@')) {
    return fail('contains "@" (user info); an origin is only scheme, host and port, write the host alone, e.g. "example.com"');
  }
  if (tail !== '' && tail !== '/') {
    const t = tail.startsWith('/') ? tail.slice(1) : tail;
    const what = t.startsWith('?') ? 'a query' : t.startsWith('#') ? 'a fragment' : 'a path';
    return fail(`contains ${what} (${JSON.stringify(tail)}); origins have no path, query or fragment, write ${JSON.stringify(written)}`);
  }

  // host[:port], where the host may be a bracketed IPv6 literal.
  let hostText: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    hostText = close === -1 ? authority : authority.slice(0, close + 1);
    const after = close === -1 ? '' : authority.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return fail(`has unexpected text ${JSON.stringify(after)} after the host; write "[::1]" or "[::1]:3000"`);
      portText = after.slice(1);
    }
  } else {
    const first = authority.indexOf(':');
    if (first !== authority.lastIndexOf(':') && /^[0-9a-f:.]*$/.test(authority)) {
      return fail('is an IP address; only the loopback addresses 127.0.0.1 and [::1] (in brackets) may be listed, list the site\'s domain name instead, e.g. "example.com"');
    }
    hostText = first === -1 ? authority : authority.slice(0, first);
    portText = first === -1 ? undefined : authority.slice(first + 1);
  }

  const h = parseHost(hostText);
  if (!h.ok) return h;

  let port: number | '*' | null = null;
  if (portText !== undefined) {
    if (portText === '') return fail('has an empty port after ":"; write a port number, e.g. ":8443", or leave the port out');
    if (portText === '*') port = '*';
    else if (/^[0-9]+$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535) port = Number(portText);
    else return fail(`has an invalid port ${JSON.stringify(portText)}; use a number from 1 to 65535, or "*" for any port`);
  }

  let pattern: AllowPattern;
  if (h.loopback) {
    // Loopback: no scheme means http and https (dev servers use either); "http://" adds nothing.
    // No port means any port, so ":*" adds nothing, and a written 80/443 is a real pin.
    pattern = { scheme: scheme === 'https' ? 'https' : null, host: h.host, wildcard: false, port: port === '*' ? null : port, loopback: true };
  } else {
    // Names: "https://" is the default. CSP3 port-part: an absent port is the scheme's default
    // port, so an explicit default port is the same pattern.
    const defaultPort = scheme === 'http' ? 80 : 443;
    pattern = {
      scheme: scheme === 'http' ? 'http' : null,
      host: h.host,
      wildcard: h.wildcard,
      port: port === defaultPort ? null : port,
      loopback: false,
    };
  }
  return { ok: true, pattern, normalized: formatPattern(pattern) };
}

/** The canonical normalised string of a pattern. */
export function formatPattern(p: AllowPattern): string {
  let prefix = '';
  if (p.loopback ? p.scheme === 'https' : p.scheme === 'http') prefix = `${p.scheme}://`;
  const host = p.wildcard ? `*.${p.host}` : p.host;
  const port = p.port === null ? '' : `:${p.port}`;
  return prefix + host + port;
}

function schemeRefused(name: string): PatternResult {
  return fail(`uses the scheme ${name}:, but only http and https pages can embed the widget; write the host alone, e.g. "example.com", or "http://example.com" for plain http`);
}
