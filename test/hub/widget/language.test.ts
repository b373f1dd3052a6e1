// The frame's language: the agent's locale, else the best Accept-Language match, else English.
import { describe, expect, it } from 'vitest';
import { chooseLanguage, directionOf } from '../../../src/hub/widget/language.js';

describe('chooseLanguage', () => {
  it.each([
    [null, undefined, 'en'],
    [null, '', 'en'],
    [null, 'de-CH,de;q=0.9,en;q=0.8', 'de'],
    [null, 'pt-BR', 'pt'],
    [null, 'nl,fr;q=0.5', 'fr'],
    [null, 'en;q=0.2,ja;q=0.8', 'ja'],
    [null, 'ar;q=0.5,he;q=0.5', 'ar'],
    [null, 'HE-il', 'he'],
    [null, 'xx,yy;q=0.9', 'en'],
    [null, 'de;q=0', 'en'],
    [null, 'fr;q=bogus', 'fr'],
    ['es', 'de,fr', 'es'],
  ] as const)('locale %s with Accept-Language %j is %s', (locale, header, expected) => {
    expect(chooseLanguage(locale, header)).toBe(expected);
  });

  it('reads a header repeated by a proxy as one list', () => {
    expect(chooseLanguage(null, ['nl', 'ja'])).toBe('ja');
  });

  it('writes Arabic and Hebrew right to left, the rest left to right', () => {
    expect(['ar', 'he', 'en', 'ja'].map((l) => directionOf(l as never))).toEqual(['rtl', 'rtl', 'ltr', 'ltr']);
  });
});
