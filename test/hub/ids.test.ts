import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { idShape, newId } from '../../src/hub/ids.js';
import { ID_PREFIX } from '../../src/protocol/ids.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const filesUnder = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));

describe('ids', () => {
  it('mints ids of the documented shape, in creation order', () => {
    const ids = Array.from({ length: 50 }, () => newId(ID_PREFIX.widgetKey));
    for (const id of ids) expect(id).toMatch(idShape(ID_PREFIX.widgetKey));
    expect([...ids].sort()).toEqual(ids);
    expect(idShape(ID_PREFIX.widgetKey).test(newId(ID_PREFIX.agent))).toBe(false);
  });

  it('shows only real prefixes in id examples of the docs, the client and the CLI help', () => {
    const prefixes: string[] = Object.values(ID_PREFIX);
    const places = ['README.md', ...filesUnder('docs'), ...filesUnder('src/client'), ...filesUnder('src/cli')];
    const wrong: string[] = [];
    for (const file of places) {
      // An id example is a lowercase word, an underscore and an ellipsis: `agt_…`, `wk_…`.
      for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/(?<![\w$])([a-z]+)_…/g)) {
        if (!prefixes.includes(m[1]!)) wrong.push(`${file}: ${m[0]}`);
      }
    }
    expect(places.length).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });
});
