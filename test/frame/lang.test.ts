// Every language table says everything the English one does, in the same shape: a string the others
// lack fails here (and in the typecheck) until it is translated.
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../src/frame/lang/index.js';
import { EN } from '../../src/frame/strings.js';
import { LANGUAGES } from '../../src/protocol/languages.js';

/** With sample arguments: a number for the entries that take one first, else an agent name and a count. */
const NUMBER_FIRST = ['tooLong', 'httpError'];
const call = (key: string, v: unknown): string => (typeof v == 'function' ? v(...(NUMBER_FIRST.includes(key) ? [7] : ['Zoë', 7])) : String(v));

describe('language tables', () => {
  it('has a table for every language the hub may choose', () => {
    expect(Object.keys(TABLES).sort()).toEqual([...LANGUAGES].sort());
  });

  for (const language of LANGUAGES) {
    it(`${language} has every string of the English table, each of the same kind`, () => {
      const table = TABLES[language] as Record<string, unknown>;
      expect(Object.keys(table).sort()).toEqual(Object.keys(EN).sort());
      for (const [key, en] of Object.entries(EN)) {
        expect([key, typeof table[key]]).toEqual([key, typeof en]);
        if (typeof en == 'function') expect([key, (table[key] as () => string).length]).toEqual([key, en.length]);
      }
    });

    it(`${language} puts each argument into the text and leaves no entry empty`, () => {
      for (const [key, value] of Object.entries(TABLES[language])) {
        const text = call(key, value);
        expect([key, typeof text, text.length > 0]).toEqual([key, 'string', true]);
        if (typeof value == 'function') expect([key, text.includes(NUMBER_FIRST.includes(key) ? '7' : 'Zoë')]).toEqual([key, true]);
        if (typeof value == 'function' && value.length == 2) expect([key, text.includes('7')]).toEqual([key, true]);
      }
    });
  }

  it('translates rather than copies: no other table shares most of its words with English', () => {
    for (const language of LANGUAGES.filter((l) => l != 'en')) {
      const same = Object.entries(TABLES[language]).filter(([key, value]) => call(key, value) == call(key, (EN as Record<string, unknown>)[key]));
      expect([language, same.length <= 3]).toEqual([language, true]);
    }
  });
});
