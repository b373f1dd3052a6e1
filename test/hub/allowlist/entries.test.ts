/**
 * Two rules that joined the allowlist with the owner tools (issue 14): the per-entry check behind the
 * console's as-you-type validation, and the loopback hosts on which a test key works.
 */
import { describe, expect, it } from 'vitest';
import { checkAllowlistEntries, MAX_ALLOWLIST_ENTRIES } from '../../../src/hub/allowlist/allowlist.js';
import { LOOPBACK_HOSTS } from '../../../src/hub/allowlist/host.js';
import { parseOrigin } from '../../../src/hub/allowlist/origin.js';

const hostOf = (origin: string) => {
  const r = parseOrigin(origin);
  if (!r.ok) throw new Error(`${origin} did not parse`);
  return r.origin.host;
};

describe('checking allowlist entries one by one', () => {
  it("gives each entry its stored form or the create's message, and no list error up to the limit", () => {
    const r = checkAllowlistEntries(['Shop.Example.com', '*.com']);
    expect(r.entries[0]).toEqual({ entry: 'Shop.Example.com', normalized: 'shop.example.com', error: null });
    expect(r.entries[1]!.normalized).toBeNull();
    expect(r.entries[1]!.error).toMatch(/^domain_allowlist\[1\]: "\*\.com" /);
    expect(r.error).toBeNull();
    expect(checkAllowlistEntries(Array.from({ length: MAX_ALLOWLIST_ENTRIES }, (_, i) => `s${i}.example.com`)).error).toBeNull();
  });

  it('says how many entries are too many, one past the limit', () => {
    const r = checkAllowlistEntries(Array.from({ length: MAX_ALLOWLIST_ENTRIES + 1 }, (_, i) => `s${i}.example.com`));
    expect(r.error).toBe(`domain_allowlist: ${MAX_ALLOWLIST_ENTRIES + 1} entries given, at most ${MAX_ALLOWLIST_ENTRIES} are allowed; use a wildcard such as "*.example.com" to cover many subdomains`);
  });
});

describe('the loopback hosts of test keys', () => {
  it('are localhost, 127.0.0.1 and [::1] on any port, and nothing that only looks like them', () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080', 'https://localhost']) {
      expect(LOOPBACK_HOSTS.has(hostOf(origin))).toBe(true);
    }
    for (const origin of ['http://localhost.example.com', 'http://127.0.0.2:3000', 'https://shop.example', 'http://[::2]']) {
      expect(LOOPBACK_HOSTS.has(hostOf(origin))).toBe(false);
    }
    expect(LOOPBACK_HOSTS.size).toBe(3);
  });
});
