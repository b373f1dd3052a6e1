/**
 * Bytes a visitor downloads: the loader (on every customer page) and the frame (document + JS + CSS),
 * each compressed as a CDN or the hub's reverse proxy would (gzip -9, brotli q11, as build.mjs counts);
 * and what an owner's browser downloads for the console (/console).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { DIST } from './lib/proc.mjs';

export const sizes = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

export function loaderBytes() {
  return sizes(readFileSync(join(DIST, 'loader.js')));
}

/**
 * The frame document (its JS and CSS inline) exactly as the hub serves it to an allowed page, one per
 * language (Buffers by language code): the sizes of the largest, and which language that is.
 */
export function frameBytes({ documents }) {
  const all = Object.entries(documents).map(([language, document]) => ({ language, ...sizes(document) }));
  return all.reduce((a, b) => (b.gzip > a.gzip ? b : a));
}

/** The console's script and stylesheet, and the preview's script (dist/console/, as its manifest names them). */
export function consoleBytes() {
  const dir = join(DIST, 'console');
  const names = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const part = (name) => sizes(readFileSync(join(dir, name)));
  return { console: [names.js, names.css].map(part).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli })), preview: part(names.preview) };
}
