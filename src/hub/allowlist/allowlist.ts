/**
 * A key's domain allowlist: validated and normalised on write, compiled once for reading, and the
 * request-time decision, which must agree with the browser's CSP3 `frame-ancestors` matching
 * ("Does url match expression in origin": scheme-part, host-part, port-part).
 */
import type { ParsedOrigin } from './origin.js';
import { parsePattern, type AllowPattern } from './pattern.js';

// Re-exported so callers that compile and match need only this module.
export type { AllowPattern } from './pattern.js';
export type { ParsedOrigin } from './origin.js';

export const MAX_ALLOWLIST_ENTRIES = 100;

type NormalizeResult = { ok: true; list: string[] } | { ok: false; errors: string[] };

/** One entry as written: its normalised form, or the sentence that refuses it (as a 400 names it). */
export interface EntryCheck {
  entry: string;
  normalized: string | null;
  error: string | null;
}

const tooMany = (count: number) =>
  `domain_allowlist: ${count} entries given, at most ${MAX_ALLOWLIST_ENTRIES} are allowed; use a wildcard such as "*.example.com" to cover many subdomains`;

/** Each entry on its own, for a form that validates as the owner types (POST /api/v1/allowlist/validate). */
export function checkAllowlistEntries(entries: readonly string[]): { entries: EntryCheck[]; error: string | null } {
  const checks = entries.map((entry, i): EntryCheck => {
    const r = parsePattern(entry);
    return r.ok ? { entry, normalized: r.normalized, error: null } : { entry, normalized: null, error: `domain_allowlist[${i}]: ${JSON.stringify(entry)} ${r.reason}` };
  });
  return { entries: checks, error: entries.length > MAX_ALLOWLIST_ENTRIES ? tooMany(entries.length) : null };
}

/** Validate + normalise a list given on write (POST/PATCH). All errors, one per refused entry. */
export function normalizeAllowlist(entries: readonly string[]): NormalizeResult {
  // Checked first so an oversized list costs nothing to refuse.
  if (entries.length > MAX_ALLOWLIST_ENTRIES) return { ok: false, errors: [tooMany(entries.length)] };
  const checks = checkAllowlistEntries(entries).entries;
  const errors = checks.flatMap((c) => (c.error ? [c.error] : []));
  // Duplicates after normalisation collapse silently, keeping the first position.
  return errors.length > 0 ? { ok: false, errors } : { ok: true, list: [...new Set(checks.map((c) => c.normalized!))] };
}

/** A row written by hand or by an older version may not be a JSON array of strings: read it as empty. */
export function parseStoredAllowlist(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** Compile stored (already normalised) rows for the matcher; rows that no longer parse are dropped. */
export function compileAllowlist(stored: readonly string[]): AllowPattern[] {
  const patterns: AllowPattern[] = [];
  for (const row of stored) {
    // A row the current rules refuse (older rules, a hand edit, a new public suffix) must fail
    // closed: it is skipped, never matched loosely.
    const r = parsePattern(row);
    if (r.ok) patterns.push(r.pattern);
  }
  return patterns;
}

/** The request-time decision. Hot path: plain comparisons, no allocation. */
export function originAllowed(origin: ParsedOrigin, patterns: readonly AllowPattern[]): boolean {
  return matchingPattern(origin, patterns) !== null;
}

/** The first pattern that admits the origin, or null: check-origin names it (format it with formatPattern). */
export function matchingPattern(origin: ParsedOrigin, patterns: readonly AllowPattern[]): AllowPattern | null {
  const { scheme, host, port } = origin;
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i]!;
    if (hostMatches(p, host) && schemeMatches(p, scheme) && portMatches(p, scheme, port)) return p;
  }
  return null;
}

/** CSP3 host-part: exact, or for "*." any subdomain at any depth but never the base itself. */
function hostMatches(p: AllowPattern, host: string): boolean {
  if (!p.wildcard) return host === p.host;
  const base = p.host;
  return (
    host.length > base.length + 1 &&
    host.charCodeAt(host.length - base.length - 1) === 46 /* "." */ &&
    host.endsWith(base)
  );
}

/**
 * CSP3 scheme-part: a source with scheme http also matches https. Names default to https only;
 * loopback defaults to both (local dev servers use either), unless pinned to https.
 */
function schemeMatches(p: AllowPattern, scheme: 'http' | 'https'): boolean {
  if (p.loopback) return p.scheme !== 'https' || scheme === 'https';
  return p.scheme === 'http' || scheme === 'https';
}

/**
 * CSP3 port-part: "*" matches any port; an absent port matches the default port of the origin's
 * scheme (so "http://example.com" admits https on 443 too); a number must equal the effective port.
 * Loopback without a port matches any port.
 */
function portMatches(p: AllowPattern, scheme: 'http' | 'https', port: number): boolean {
  if (p.port === '*') return true;
  if (p.port === null) return p.loopback || port === (scheme === 'https' ? 443 : 80);
  return port === p.port;
}
