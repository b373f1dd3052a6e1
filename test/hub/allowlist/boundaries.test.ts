/**
 * The allowlist's edges, each a rule a mutant once got past (issue 17): numeric last labels that browsers
 * parse as IPv4, port spellings that Number() would take, and the lengths DNS can carry.
 */
import { describe, expect, it } from 'vitest';
import { parsePattern } from '../../../src/hub/allowlist/pattern.js';

const normalized = (input: string) => {
  const r = parsePattern(input);
  return r.ok ? r.normalized : null;
};
const reason = (input: string) => {
  const r = parsePattern(input);
  return r.ok ? `accepted as ${r.normalized}` : r.reason;
};
/** A host of exactly `length` characters: labels of 63 joined by dots, ending in ".com". */
function hostOf(length: number): string {
  const labels: string[] = [];
  let left = length - '.com'.length;
  while (left > 0) {
    const size = Math.min(63, left - (labels.length ? 1 : 0));
    labels.push('a'.repeat(size));
    left -= size + (labels.length > 1 ? 1 : 0);
  }
  const host = labels.join('.') + '.com';
  expect(host).toHaveLength(length);
  return host;
}

describe('numeric last labels (WHATWG URL: such a host is an IPv4 address)', () => {
  it.each(['example.0x7f', 'example.0x', 'example.0x1f', '0x7f', 'a.b.0', 'example.123'])('refuses a last label like %s as an IP address', (input) => {
    expect(reason(input)).toContain('is an IP address');
  });

  it('refuses a last label 0x7f under a wildcard too', () => {
    expect(reason('*.example.0x7f')).toContain('wildcard over an IP address');
  });

  it('accepts names whose last label only looks like a number', () => {
    expect(normalized('example.0xz')).toBe('example.0xz');
    expect(normalized('example.x0')).toBe('example.x0');
    expect(normalized('0x7f.example.com')).toBe('0x7f.example.com');
    expect(normalized('123.example.com')).toBe('123.example.com');
  });
});

describe('ports', () => {
  it('accepts ports 1 and 65535 and refuses +443, 1e3, 0x1f90', () => {
    expect(normalized('example.com:1')).toBe('example.com:1');
    expect(normalized('example.com:65535')).toBe('example.com:65535');
    expect(normalized('localhost:1')).toBe('localhost:1');
    expect(normalized('localhost:65535')).toBe('localhost:65535');
    for (const port of ['+443', '1e3', '0x1f90', ' 443', '443.0', '-1', '0', '65536', '99999']) {
      expect(reason(`example.com:${port}`), port).toMatch(/invalid port|invalid label|cannot appear|IP address/);
      expect(normalized(`localhost:${port}`), port).toBeNull();
    }
  });

  it('names the bad port and the range', () => {
    expect(reason('example.com:0')).toBe('has an invalid port "0"; use a number from 1 to 65535, or "*" for any port');
    expect(reason('example.com:65536')).toBe('has an invalid port "65536"; use a number from 1 to 65535, or "*" for any port');
  });
});

describe('host lengths (RFC 1035: 253 characters)', () => {
  it('accepts a 253-character host and refuses 254', () => {
    expect(normalized(hostOf(253))).toBe(hostOf(253));
    expect(reason(hostOf(254))).toContain('longer than 253 characters');
  });

  it('accepts a wildcard over 251 characters and refuses one over 252', () => {
    expect(normalized('*.' + hostOf(251))).toBe('*.' + hostOf(251));
    expect(reason('*.' + hostOf(252))).toContain('puts a wildcard over a 252-character name');
  });

  it('accepts a label of 63 characters and refuses 64', () => {
    expect(normalized('a'.repeat(63) + '.com')).toBe('a'.repeat(63) + '.com');
    expect(reason('a'.repeat(64) + '.com')).toContain('has an invalid label');
  });
});
