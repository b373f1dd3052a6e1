/**
 * Swagger UI's files, read from the installed swagger-ui-dist package (a dependency: nothing comes from
 * a CDN, so /docs works on a hub without internet). Loaded on the first /docs request, not at start:
 * the bundle is 1.5 MB and most hubs never serve it. Names carry a content hash, so they are immutable.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { docsPage, INIT_SCRIPT, type DocsAssetNames } from './page.js';

export interface DocsFile {
  type: string;
  identity: Buffer;
  gzip: Buffer;
}

export interface DocsAssets {
  page: string;
  files: Map<string, DocsFile>;
}

const hashed = (name: string, body: Buffer) => {
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}.${createHash('sha256').update(body).digest('hex').slice(0, 12)}${name.slice(dot)}`;
};

export function loadDocsAssets(): DocsAssets {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const sources: Record<keyof DocsAssetNames, [string, Buffer, string]> = {
    bundle: ['swagger-ui-bundle.js', readFileSync(join(dir, 'swagger-ui-bundle.js')), 'text/javascript; charset=utf-8'],
    css: ['swagger-ui.css', readFileSync(join(dir, 'swagger-ui.css')), 'text/css; charset=utf-8'],
    icon: ['favicon-32x32.png', readFileSync(join(dir, 'favicon-32x32.png')), 'image/png'],
    init: ['docs-init.js', Buffer.from(INIT_SCRIPT), 'text/javascript; charset=utf-8'],
  };
  const files = new Map<string, DocsFile>();
  const names = {} as DocsAssetNames;
  for (const [part, [name, identity, type]] of Object.entries(sources) as [keyof DocsAssetNames, [string, Buffer, string]][]) {
    names[part] = hashed(name, identity);
    files.set(names[part], { type, identity, gzip: gzipSync(identity) });
  }
  return { page: docsPage(names), files };
}
