// Builds everything into dist/: the loader (tiny browser IIFE, size-checked), the frame assets
// (content-hashed), the Node entry points (CLI with the hub, and the client package entry).
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

// The budgets live in src/protocol/budgets.ts (one home, also read by the bench and the tests); Node 20
// cannot import TypeScript, so the file is transpiled in memory.
const { LOADER_GZIP_BUDGET, LOADER_GZIP_AIM } = await import(
  'data:text/javascript,' + encodeURIComponent((await transform(await readFile('src/protocol/budgets.ts', 'utf8'), { loader: 'ts' })).code)
);
const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const log = (line) => quiet || console.log(line);
// `node build.mjs loader` builds only the loader (fast loop while working on it); no argument builds all.
const only = args.filter((a) => !a.startsWith('--'));
const wants = (part) => only.length === 0 || only.includes(part);

if (only.length === 0) await rm('dist', { recursive: true, force: true });
await mkdir('dist/frame', { recursive: true });

const sizes = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

async function buildLoader() {
  // The loader runs on customers' pages: ES2018, one IIFE, no globals but `Kataven`.
  await build({
    entryPoints: ['src/loader/index.ts'],
    outfile: 'dist/loader.js',
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2018',
    legalComments: 'none',
    // tsconfig's `strict` would make esbuild prepend "use strict" (13 bytes); the IIFE needs no sloppy
    // mode semantics either way, and every byte here is paid on every customer page view.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  });
  const loader = await readFile('dist/loader.js');
  const loaderSizes = sizes(loader);
  // The hub serves this build at /widget/v1/loader/<hash>.js too, for pages that pin it with SRI.
  const integrity = 'sha384-' + createHash('sha384').update(loader).digest('base64');
  const hash = createHash('sha256').update(loader).digest('hex').slice(0, 16);
  await writeFile('dist/loader.json', JSON.stringify({ ...loaderSizes, hash, integrity }, null, 2));
  const headroom = (limit) => `${limit - loaderSizes.gzip >= 0 ? limit - loaderSizes.gzip + ' B under' : loaderSizes.gzip - limit + ' B over'}`;
  log(`dist/loader.js  raw ${loaderSizes.raw} B  gzip ${loaderSizes.gzip} B  brotli ${loaderSizes.brotli} B  (budget ${LOADER_GZIP_BUDGET} B gzip: ${headroom(LOADER_GZIP_BUDGET)}; aim ${LOADER_GZIP_AIM} B: ${headroom(LOADER_GZIP_AIM)})`);
  log(`                pinned URL /widget/v1/loader/${hash}.js  integrity="${integrity}"`);
  if (loaderSizes.gzip > LOADER_GZIP_BUDGET) {
    console.error(`build: dist/loader.js is ${loaderSizes.gzip} B gzipped, over the ${LOADER_GZIP_BUDGET} B budget`);
    process.exit(1);
  }
}

async function buildFrame() {
  // Frame assets get content-hashed names so the hub can serve them `immutable`.
  const frame = await build({
    entryPoints: { frame: 'src/frame/index.ts', 'frame-style': 'src/frame/frame.css' },
    outdir: 'dist/frame',
    entryNames: '[name].[hash]',
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    legalComments: 'none',
    metafile: true,
  });
  const outputs = Object.keys(frame.metafile.outputs).map((p) => p.replace(/^dist\/frame\//, ''));
  const manifest = {
    js: outputs.find((p) => p.endsWith('.js')),
    css: outputs.find((p) => p.endsWith('.css')),
  };
  await writeFile('dist/frame/manifest.json', JSON.stringify(manifest, null, 2));
  let frameGzip = 0;
  for (const file of Object.values(manifest)) frameGzip += sizes(await readFile(`dist/frame/${file}`)).gzip;
  log(`dist/frame      js + css gzip ${frameGzip} B`);
}

async function buildNode() {
  // Node entry points: dependencies stay external (installed from package.json).
  const node = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true };
  // Split so that each CLI command loads only what it uses (see src/cli/index.ts).
  await build({
    ...node,
    entryPoints: { cli: 'src/cli/index.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: '#!/usr/bin/env node' },
  });
  await build({ ...node, entryPoints: ['src/client/index.ts'], outfile: 'dist/index.js' });
  log('dist/cli.js, dist/index.js');
}

if (wants('loader')) await buildLoader();
if (wants('frame')) await buildFrame();
if (wants('node')) await buildNode();
