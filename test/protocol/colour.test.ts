// Ink by contrast ratio (WCAG 2.2 1.4.3 / 1.4.11), the numbers axe reported in issue 13.
import { describe, expect, it } from 'vitest';
import { contrast, paint, TEXT_CONTRAST } from '../../src/protocol/colour.js';

const ACCENTS = ['#d9480f', '#2b8a3e', '#4f46e5', '#3b82f6', '#ef4444', '#f59e0b', '#10b981', '#111827', '#ec4899', '#8b5cf6', '#0b7285', '#ffe066', '#fff', '#000'];

describe('paint', () => {
  it('matches the contrast ratios axe reports', () => {
    expect(contrast('#3b82f6', '#ffffff').toFixed(2)).toBe('3.68');
    expect(contrast('#f59e0b', '#ffffff').toFixed(2)).toBe('2.15');
    expect(contrast('#000', '#fff')).toBe(21);
  });

  it.each(ACCENTS)('writes on %s at 4.5:1 or more', (accent) => {
    const { surface, ink } = paint(accent);
    expect(contrast(surface, ink)).toBeGreaterThanOrEqual(TEXT_CONTRAST);
  });

  it('picks dark ink on mid-tone accents where white falls short', () => {
    expect(paint('#3b82f6')).toEqual({ surface: '#3b82f6', ink: '#111111', ring: false });
    expect(paint('#ef4444').ink).toBe('#111111');
  });

  it('darkens an accent on which neither ink reaches 4.5:1', () => {
    // Luminance about 0.19: white 4.30:1, #111 4.39:1.
    const accent = '#d9480f';
    expect(Math.max(contrast(accent, '#fff'), contrast(accent, '#111'))).toBeLessThan(TEXT_CONTRAST);
    const { surface, ink } = paint(accent);
    expect(surface).not.toBe(accent);
    expect(ink).toBe('#ffffff');
    expect(contrast(surface, ink)).toBeGreaterThanOrEqual(TEXT_CONTRAST);
  });

  it('rings a launcher under 3:1 against white, and only such', () => {
    expect(ACCENTS.filter((a) => paint(a).ring)).toEqual(['#f59e0b', '#10b981', '#ffe066', '#fff']);
  });
});
