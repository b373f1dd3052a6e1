/**
 * The console's built files (build.mjs → dist/console/: content-hashed names and a manifest), found as the
 * widget's are (widget/dist.ts). Read once at start: together they are a few tens of kilobytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { findUp } from '../widget/dist.js';

export interface ConsoleAssets {
  /** Hashed file names of the console's script and stylesheet, and of the preview's script. */
  names: { js: string; css: string; preview: string };
  files: Map<string, { type: string; identity: Buffer; gzip: Buffer }>;
}

const typeOf = (name: string) => (name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');

/** null when the console is not built: /console then answers 503 saying so. */
export function loadConsoleAssets(): ConsoleAssets | null {
  const dir = findUp((d) => [join(d, 'console'), join(d, 'dist', 'console')].find((c) => existsSync(join(c, 'manifest.json'))));
  if (!dir) return null;
  const names = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ConsoleAssets['names'];
  const files: ConsoleAssets['files'] = new Map();
  for (const name of Object.values(names)) {
    const identity = readFileSync(join(dir, name));
    files.set(name, { type: typeOf(name), identity, gzip: gzipSync(identity, { level: 9 }) });
  }
  return { names, files };
}
