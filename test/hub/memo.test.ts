/** The bounded memo the handshake's per-request work goes through (src/hub/memo.ts). */
import { describe, expect, it, vi } from 'vitest';
import { MEMO_TEXT_MAX, memoByText } from '../../src/hub/memo.js';

describe('memoByText', () => {
  it('computes a text once and answers it from memory afterwards, null included', () => {
    const compute = vi.fn((text: string) => (text === 'none' ? null : text.length));
    const memo = memoByText(10, compute);
    expect([memo('abc'), memo('abc'), memo('none'), memo('none')]).toEqual([3, 3, null, null]);
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('starts over when full: it never holds more than its bound', () => {
    const compute = vi.fn((text: string) => text.toUpperCase());
    const memo = memoByText(3, compute);
    for (const text of ['a', 'b', 'c']) memo(text);
    memo('a');
    expect(compute).toHaveBeenCalledTimes(3);
    memo('d'); // the fourth: everything before it is forgotten
    memo('a');
    expect(compute).toHaveBeenCalledTimes(5);
    expect(memo('d')).toBe('D');
    expect(compute).toHaveBeenCalledTimes(5);
  });

  it('keeps no text longer than its limit: long headers cost no memory', () => {
    const compute = vi.fn((text: string) => text.length);
    const memo = memoByText(10, compute);
    const atLimit = 'a'.repeat(MEMO_TEXT_MAX);
    const over = 'a'.repeat(MEMO_TEXT_MAX + 1);
    expect([memo(atLimit), memo(atLimit), memo(over), memo(over)]).toEqual([MEMO_TEXT_MAX, MEMO_TEXT_MAX, MEMO_TEXT_MAX + 1, MEMO_TEXT_MAX + 1]);
    expect(compute).toHaveBeenCalledTimes(3);
  });
});
