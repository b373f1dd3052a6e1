/**
 * The loader suite against the shipped file: dist/loader.js, minified, evaluated in the page's own
 * JavaScript realm (happy-dom's window is a node:vm context) the way a browser runs a classic script:
 * `document.currentScript` is the tag while the file's top level runs, and null afterwards.
 * The bundle is built before the run (test/setup/build.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LOADER_GZIP_BUDGET } from '../../src/protocol/budgets.js';
import { loaderSuite } from './suite.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundlePath = join(root, 'dist/loader.js');

const code = readFileSync(bundlePath, 'utf8');
const script = new vm.Script(code, { filename: bundlePath });

describe('loader (dist/loader.js)', () => {
  it('fits the gzip budget of src/protocol/budgets.ts', () => {
    expect(gzipSync(Buffer.from(code), { level: 9 }).length).toBeLessThanOrEqual(LOADER_GZIP_BUDGET);
  });

  it("starts with V8's compile hint, so its functions compile with the script and not on the page's main thread", () => {
    expect(code.split('\n')[0]).toBe('//# allFunctionsCalledOnLoad');
  });

  loaderSuite({ inPageRealm: true }, (page, tag) => {
    const doc = page.win.document;
    Object.defineProperty(doc, 'currentScript', { value: tag, configurable: true });
    try {
      script.runInContext(page.win as unknown as vm.Context);
    } finally {
      delete (doc as unknown as { currentScript?: unknown }).currentScript;
    }
  });
});
