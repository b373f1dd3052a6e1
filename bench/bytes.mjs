/**
 * Bytes a visitor downloads: the loader (on every customer page) and the frame (document + JS + CSS),
 * each compressed as a CDN or the hub's reverse proxy would (gzip -9, brotli q11, as build.mjs counts).
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

/** The frame's document, JS and CSS exactly as the hub serves them to an allowed page (Buffers). */
export function frameBytes({ document, js, css }) {
  const parts = { document: sizes(document), js: sizes(js), css: sizes(css) };
  const total = (k) => parts.document[k] + parts.js[k] + parts.css[k];
  return { parts, raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') };
}
