import { describe, expect, it } from 'vitest';
import { random128 } from '../../src/hub/random.js';

describe('random128', () => {
  it('hands out distinct 128-bit values across refills of its pool', () => {
    // 1,000 draws refill the 256-value pool three times.
    const hex = Array.from({ length: 1000 }, () => random128('hex'));
    expect(new Set(hex).size).toBe(hex.length);
    for (const v of hex) expect(v).toMatch(/^[0-9a-f]{32}$/);
  });

  it('writes base64url as 22 characters', () => {
    const values = Array.from({ length: 300 }, () => random128('base64url'));
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
