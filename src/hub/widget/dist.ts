/**
 * The built browser files (dist/): the loader and the frame assets. Found beside the bundled CLI
 * (dist/cli.js) or, when the hub runs from source (tests), in the repository's dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { LANGUAGES, type Language } from '../../protocol/languages.js';
import { frameDocument } from './frame.js';
import { directionOf } from './language.js';

/** A file with its compressed forms, made once at start: the hub serves them without a CDN in front. */
export interface Encoded {
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/** The frame document in one language, with its CSS and JS inline: the same bytes for every allowed page. */
export interface FrameDocument {
  /** The script's file name (content-hashed): names the representation in the ETag. */
  js: string;
  document: Encoded;
  /** CSP hash sources of the inline script and style (`'sha256-…'`). */
  scriptHash: string;
  styleHash: string;
}

export interface BuiltAssets {
  loader: { body: Encoded; hash: string; integrity: string };
  frame: {
    /** File names: one script per language (build.mjs), one stylesheet. */
    js: Record<Language, string>;
    css: string;
    files: Map<string, Encoded>;
    documents: Record<Language, FrameDocument>;
  };
}

const encode = (identity: Buffer): Encoded => ({
  identity,
  gzip: gzipSync(identity, { level: 9 }),
  br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
});

function findDistDir(): string | null {
  return findUp((dir) => [dir, join(dir, 'dist')].find((d) => existsSync(join(d, 'loader.json'))));
}

/** Walks up from this module (dist/chunks/… when bundled, src/hub/widget/ from source) to the root. */
export function findUp(test: (dir: string) => string | undefined): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const found = test(dir);
    if (found) return found;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** null when nothing is built: the widget routes then answer 503 with a message saying so. */
export function loadBuiltAssets(dir = findDistDir()): BuiltAssets | null {
  if (!dir || !existsSync(join(dir, 'frame', 'manifest.json'))) return null;
  const body = encode(readFileSync(join(dir, 'loader.js')));
  // Written by build.mjs beside the loader: its content hash and SRI value.
  const { hash, integrity } = JSON.parse(readFileSync(join(dir, 'loader.json'), 'utf8')) as { hash: string; integrity: string };
  const manifest = JSON.parse(readFileSync(join(dir, 'frame', 'manifest.json'), 'utf8')) as { js: Record<Language, string>; css: string };
  const files = new Map<string, Encoded>();
  for (const name of [...Object.values(manifest.js), manifest.css]) files.set(name, encode(readFileSync(join(dir, 'frame', name))));
  const text = (name: string) => files.get(name)!.identity.toString('utf8');
  const css = text(manifest.css);
  const documents = Object.fromEntries(
    LANGUAGES.map((language) => {
      const js = text(manifest.js[language]);
      const document = encode(Buffer.from(frameDocument(js, css, language, directionOf(language)), 'utf8'));
      return [language, { js: manifest.js[language], document, scriptHash: cspHash(js), styleHash: cspHash(css) }];
    }),
  ) as Record<Language, FrameDocument>;
  return { loader: { body, hash, integrity }, frame: { js: manifest.js, css: manifest.css, files, documents } };
}

/** A CSP3 hash source: the base64 SHA-256 of an inline element's exact text. */
const cspHash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
