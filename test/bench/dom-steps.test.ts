/**
 * bench/lib/dom-steps.mjs's sums: the bench's "browser's work inside DOM getters, setters and
 * constructors" row adds up only the steps a CPU profile counts as the loader's own.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the bench, with no types
import { STEPS, stepPages, summarizeSteps } from '../../bench/lib/dom-steps.mjs';

describe('summarizeSteps', () => {
  it("sums the medians of the loader's statements, leaving out native calls and the page's own step", () => {
    // Wall time 10 × the CPU: a step the thread was descheduled in; the sums are of CPU time.
    const times = (...cpu: number[]) => cpu.map((c) => ({ cpu: c, wall: 10 * c }));
    const timings = new Map([
      [{ name: 'document.head', before: true }, times(300, 400, 350)],
      [{ name: 'currentScript' }, times(40, 60, 50)],
      [{ name: 'appendChild', native: true }, times(3000, 4000, 3500)],
      [{ name: 'sandbox' }, times(100, 900, 120)],
    ]);
    const { steps, ownUs } = summarizeSteps(timings);
    expect(ownUs).toBe(50 + 120);
    expect(steps.map((s: { us: number; wallUs: number }) => [s.us, s.wallUs])).toEqual([[350, 3500], [50, 500], [3500, 35000], [120, 1200]]);
  });
});

describe('stepPages', () => {
  it('marks every step of the mount once, on two pages, the second touching an element first', () => {
    const pages = Object.values(stepPages()) as string[];
    expect(pages).toHaveLength(2);
    for (const page of pages) expect(page.match(/performance\.mark\("step \d+: /g)).toHaveLength(STEPS.length + (page.includes('document.head;') ? 1 : 0));
    expect(pages.filter((page) => page.includes('document.head;'))).toHaveLength(1);
  });
});
