/**
 * The loader suite against the shipped file: dist/loader.js, minified, evaluated in the page's own
 * JavaScript realm (happy-dom's window is a node:vm context) the way a browser runs a classic script:
 * `document.currentScript` is the tag while the file's top level runs, and null afterwards.
 * The bundle is (re)built first when it is missing or older than its sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LOADER_GZIP_BUDGET } from '../../src/protocol/budgets.js';
import { loaderSuite } from './suite.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundlePath = join(root, 'dist/loader.js');

function readBundle(): string {
  const sources = ['src/loader', 'src/protocol'].flatMap((dir) =>
    readdirSync(join(root, dir)).map((f) => join(root, dir, f)),
  );
  const stale = !existsSync(bundlePath) || sources.some((f) => statSync(f).mtimeMs > statSync(bundlePath).mtimeMs);
  if (stale) {
    try {
      execFileSync(process.execPath, ['build.mjs', 'loader', '--quiet'], { cwd: root, stdio: 'pipe' });
    } catch (e) {
      const out = e as { stderr?: Buffer; stdout?: Buffer };
      throw new Error(`dist/loader.js is missing or stale and \`node build.mjs loader\` failed:\n${out.stderr ?? ''}${out.stdout ?? ''}`);
    }
  }
  if (!existsSync(bundlePath)) throw new Error('dist/loader.js is missing: run `node build.mjs loader`');
  return readFileSync(bundlePath, 'utf8');
}

const code = readBundle();
const script = new vm.Script(code, { filename: bundlePath });

describe('loader (dist/loader.js)', () => {
  it('fits the gzip budget of src/protocol/budgets.ts', () => {
    expect(gzipSync(Buffer.from(code), { level: 9 }).length).toBeLessThanOrEqual(LOADER_GZIP_BUDGET);
  });

  loaderSuite((page, tag) => {
    const doc = page.win.document;
    Object.defineProperty(doc, 'currentScript', { value: tag, configurable: true });
    try {
      script.runInContext(page.win as unknown as vm.Context);
    } finally {
      delete (doc as unknown as { currentScript?: unknown }).currentScript;
    }
  });
});
