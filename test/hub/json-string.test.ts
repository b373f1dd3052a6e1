import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonString } from '../../src/hub/json-string.js';

describe('jsonString', () => {
  it.each([
    ['an id', 'wk_0123456789abcdefghijkl'],
    ['an origin', 'https://www.shop.example:8443'],
    ['a frame URL', 'https://hub.example/widget/v1/frame?k=wk_1&o=https%3A%2F%2Fshop.example'],
    ['a quote', 'say "hi"'],
    ['a backslash', 'a\\b'],
    ['a newline', 'a\nb'],
    ['non-ASCII', 'Bücher ✓'],
    ['a lone surrogate', '\ud800'],
    ['the empty string', ''],
  ])('writes %s exactly as JSON.stringify does', (_name, value) => {
    expect(jsonString(value)).toBe(JSON.stringify(value));
  });

  it('agrees with JSON.stringify on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(jsonString(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 2000 },
    );
  });
});
