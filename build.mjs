// Builds everything into dist/: the loader (tiny browser IIFE, size-checked), the frame assets
// (content-hashed), the console (/console, content-hashed), the Node entry points (CLI with the hub, and the client package entry), the page
// helper `kataven/browser` (an ES module for sites' bundlers), the package's type declarations, and dist/test/: the same browser files with a loader whose timeouts are
// short, for the e2e hub only.
import { build } from 'esbuild';
import { minify } from 'terser';
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

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

/** A TypeScript module of src/protocol/, bundled and imported in memory (Node 20 cannot import .ts). */
async function importTs(file) {
  const out = await build({ entryPoints: [file], bundle: true, format: 'esm', platform: 'neutral', write: false });
  return import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].contents).toString('base64'));
}

const { HANDSHAKE_TIMEOUT_MS, FRAME_READY_TIMEOUT_MS } = await importTs('src/protocol/timeouts.ts');
const { LOADER_GZIP_BUDGET, LOADER_GZIP_AIM } = await importTs('src/protocol/budgets.ts');
const LOADER_COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';
const { FRAME_ALLOW, FRAME_PATH } = await importTs('src/protocol/frame.ts');
const { HANDSHAKE_PATH } = await importTs('src/protocol/handshake.ts');
const { LANGUAGES } = await importTs('src/protocol/languages.ts');
// The e2e run waits out both on purpose (a hub that never answers, a CSP that blocks the frame). Short,
// but far above what a handshake and a frame load take on a loaded CI machine.
const TEST_TIMEOUTS = { handshake: 2_000, frame: 5_000 };

/**
 * Writes `<dir>/loader.js` and `<dir>/loader.json` (sizes, content hash, SRI value). Only the shipped
 * build (dist/) is held to the size budget.
 */
async function buildLoader(dir = 'dist', timeouts = { handshake: HANDSHAKE_TIMEOUT_MS, frame: FRAME_READY_TIMEOUT_MS }) {
  // The loader runs on customers' pages: ES2019 (optional catch binding is the newest syntax it needs:
  // Chrome 66, Safari 11.1, Firefox 58), one IIFE, no globals but `Kataven`.
  await build({
    entryPoints: ['src/loader/index.ts'],
    outfile: `${dir}/loader.js`,
    // The seconds for the warning text come in as a string, so that the minifier folds the message into
    // one literal instead of shipping a division. The paths come in as literals too: esbuild keeps an
    // imported string constant as a variable, and the literal where it is used gzips 13 B smaller.
    define: {
      __HANDSHAKE_TIMEOUT_MS__: String(timeouts.handshake),
      __HANDSHAKE_TIMEOUT_S__: JSON.stringify(String(timeouts.handshake / 1000)),
      __FRAME_READY_TIMEOUT_MS__: String(timeouts.frame),
      __FRAME_PATH__: JSON.stringify(FRAME_PATH),
      __FRAME_ALLOW__: JSON.stringify(FRAME_ALLOW),
      __HANDSHAKE_PATH__: JSON.stringify(HANDSHAKE_PATH),
    },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2019',
    legalComments: 'none',
    // tsconfig's `strict` would make esbuild prepend "use strict" (13 bytes); the IIFE needs no sloppy
    // mode semantics either way, and every byte here is paid on every customer page view.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  });
  // A second pass with terser's safe defaults finds what esbuild's single pass leaves (it inlines and
  // folds across statements): 17 B gzip at the time of writing. Both builds get it, so the e2e tests
  // run the shipped code.
  const second = await minify(await readFile(`${dir}/loader.js`, 'utf8'), { ecma: 2019, compress: { passes: 3 } });
  // V8's explicit compile hint (Chrome 136+; a comment to other engines), first in the file, after the
  // minifier, which drops comments: every function of the loader runs on every page view, so V8 compiles
  // them all with the script, off the main thread while it streams, instead of one by one on first call
  // on the page's main thread (6 lazy compiles, ~0.45 ms of CPU on a first view here). 23 B gzip.
  await writeFile(`${dir}/loader.js`, LOADER_COMPILE_HINT + second.code);
  const loader = await readFile(`${dir}/loader.js`);
  const loaderSizes = sizes(loader);
  // The hub serves this build at /widget/v1/loader/<hash>.js too, for pages that pin it with SRI.
  const integrity = 'sha384-' + createHash('sha384').update(loader).digest('base64');
  const hash = createHash('sha256').update(loader).digest('hex').slice(0, 16);
  await writeFile(`${dir}/loader.json`, JSON.stringify({ ...loaderSizes, hash, integrity }, null, 2));
  if (dir !== 'dist') return;
  const headroom = (limit) => `${limit - loaderSizes.gzip >= 0 ? limit - loaderSizes.gzip + ' B under' : loaderSizes.gzip - limit + ' B over'}`;
  log(`dist/loader.js  raw ${loaderSizes.raw} B  gzip ${loaderSizes.gzip} B  brotli ${loaderSizes.brotli} B  (budget ${LOADER_GZIP_BUDGET} B gzip: ${headroom(LOADER_GZIP_BUDGET)}; aim ${LOADER_GZIP_AIM} B: ${headroom(LOADER_GZIP_AIM)})`);
  log(`                pinned URL /widget/v1/loader/${hash}.js  integrity="${integrity}"`);
  if (loaderSizes.gzip > LOADER_GZIP_BUDGET) {
    console.error(`build: dist/loader.js is ${loaderSizes.gzip} B gzipped, over the ${LOADER_GZIP_BUDGET} B budget`);
    process.exit(1);
  }
}

/**
 * Minified ES2020 IIFE bundles (and stylesheets) with content-hashed names, so the hub can serve them
 * `immutable`; the names written, relative to `outdir`.
 */
async function hashedBundles(entryPoints, outdir, options = {}) {
  const result = await build({ entryPoints, outdir, entryNames: '[name].[hash]', bundle: true, minify: true, format: 'iife', target: 'es2020', legalComments: 'none', metafile: true, ...options });
  return Object.keys(result.metafile.outputs).map((p) => p.slice(outdir.length + 1));
}

async function buildFrame() {
  // Frame assets get content-hashed names so the hub can serve them `immutable`. One script per
  // language, each with that language's table only (src/frame/lang/in-use.ts says how): the hub serves
  // the one the visitor reads, so no visitor downloads the other seven.
  // charset utf8: the document is served as UTF-8, and a Japanese, Arabic or Hebrew table escaped to
  // \uXXXX would be twice its size.
  const [css] = await hashedBundles({ 'frame-style': 'src/frame/frame.css' }, 'dist/frame');
  const js = {};
  for (const language of LANGUAGES) {
    const table = language === 'en' ? "export { EN as T } from '../strings.ts';" : `export { ${language.toUpperCase()} as T } from './${language}.ts';`;
    const inUse = { name: 'language-in-use', setup: (b) => b.onLoad({ filter: /src[\\/]frame[\\/]lang[\\/]in-use\.ts$/ }, (args) => ({ contents: table, loader: 'ts', resolveDir: dirname(args.path) })) };
    [js[language]] = await hashedBundles({ [`frame-${language}`]: 'src/frame/index.ts' }, 'dist/frame', { charset: 'utf8', plugins: [inUse] });
  }
  const manifest = { js, css };
  await writeFile('dist/frame/manifest.json', JSON.stringify(manifest, null, 2));
  const cssGzip = sizes(await readFile(`dist/frame/${css}`)).gzip;
  const jsGzip = await Promise.all(Object.values(js).map(async (f) => sizes(await readFile(`dist/frame/${f}`)).gzip));
  log(`dist/frame      js + css gzip ${Math.min(...jsGzip) + cssGzip}–${Math.max(...jsGzip) + cssGzip} B (${LANGUAGES.length} languages, one served per frame)`);
}

/**
 * The console (/console): its script, its stylesheet and the widget preview's script, content-hashed,
 * with a manifest the hub reads (src/hub/console/assets.ts).
 */
async function buildConsole() {
  await rm('dist/console', { recursive: true, force: true });
  const outputs = await hashedBundles({ console: 'src/console/index.ts', 'console-style': 'src/console/console.css', preview: 'src/console/preview.ts' }, 'dist/console');
  const manifest = {
    js: outputs.find((p) => p.startsWith('console.') && p.endsWith('.js')),
    css: outputs.find((p) => p.endsWith('.css')),
    preview: outputs.find((p) => p.startsWith('preview.')),
  };
  await writeFile('dist/console/manifest.json', JSON.stringify(manifest, null, 2));
  let gzip = 0;
  for (const file of Object.values(manifest)) gzip += sizes(await readFile(`dist/console/${file}`)).gzip;
  log(`dist/console    js + css + preview gzip ${gzip} B`);
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

async function buildBrowser() {
  // `import { loadKataven } from 'kataven/browser'`: the site's bundler takes it from here, so it stays
  // an ES module (tree-shakable, one import per name) and is not minified (their build minifies). ES2018,
  // like the loader.
  await build({ entryPoints: ['src/browser/index.ts'], outfile: 'dist/browser.js', bundle: true, format: 'esm', platform: 'browser', target: 'es2018', legalComments: 'none' });
  log(`dist/browser.js gzip ${sizes(await readFile('dist/browser.js')).gzip} B (kataven/browser)`);
}

async function buildTypes() {
  // esbuild strips types, so the TypeScript compiler writes the .d.ts files that package.json's `types`
  // and `exports` name: consumers check against these under their own settings instead of compiling our
  // source. tsconfig.build.json lists the public entry points; the compiler follows their imports only.
  const { default: ts } = await import('typescript');
  const { config } = ts.readConfigFile('tsconfig.build.json', ts.sys.readFile);
  const { options, fileNames, errors: configErrors } = ts.parseJsonConfigFileContent(config, ts.sys, process.cwd());
  const program = ts.createProgram(fileNames, options);
  const api = program.getSourceFile('src/protocol/api.ts');
  const { diagnostics } = program.emit(undefined, (path, text) => {
    ts.sys.writeFile(path, path.endsWith('/protocol/api.d.ts') ? plainApiTypes(ts, program.getTypeChecker(), api) : text);
  });
  const errors = [...configErrors, ...ts.getPreEmitDiagnostics(program), ...diagnostics];
  if (errors.length) {
    console.error(ts.formatDiagnosticsWithColorAndContext(errors, { ...ts.sys, getCanonicalFileName: (f) => f, getNewLine: () => '\n' }));
    process.exit(1);
  }
  log('dist/types      client, kataven/browser and window.Kataven declarations');
}

/**
 * The Hub API types are TypeBox `Static<typeof Schema>`s. Shipped as emitted, they would make every
 * consumer's compiler load and check TypeBox's own declarations (measured with TypeBox 1.4: 2.3 million
 * type instantiations, half a minute of CPU for a strict project without skipLibCheck) and show
 * `Static<…>` in their editor. So the shipped api.d.ts spells out each type as the plain object type the
 * compiler resolves it to; the schemas are the hub's business and not part of the package.
 */
function plainApiTypes(ts, checker, file) {
  const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias;
  const aliases = checker.getExportsOfModule(checker.getSymbolAtLocation(file)).filter((s) => s.flags & ts.SymbolFlags.TypeAlias);
  const lines = aliases.map((s) => `export type ${s.name} = ${checker.typeToString(checker.getDeclaredTypeOfSymbol(s), file, flags)};`);
  return `// The Hub API's request and response types (generated by build.mjs from src/protocol/api.ts).\n${lines.join('\n')}\n`;
}

/** dist/test/: what the e2e hub serves (loadBuiltAssets reads a directory laid out like dist/). */
async function buildTestAssets() {
  await rm('dist/test', { recursive: true, force: true });
  await mkdir('dist/test', { recursive: true });
  await buildLoader('dist/test', TEST_TIMEOUTS);
  await cp('dist/frame', 'dist/test/frame', { recursive: true });
  log(`dist/test/      loader with ${TEST_TIMEOUTS.handshake} ms / ${TEST_TIMEOUTS.frame} ms timeouts, for the e2e tests`);
}

if (wants('loader')) await buildLoader();
if (wants('frame')) await buildFrame();
if (wants('console')) await buildConsole();
if (wants('node')) await buildNode();
if (wants('browser')) await buildBrowser();
if (wants('types')) await buildTypes();
// Needs the frame; never shipped on its own, so it comes with every build that includes the frame.
if (wants('frame')) await buildTestAssets();
