/**
 * The product code the bench needs in-process (key format, ids, allowlist normalisation), bundled from src/ with esbuild into bench/.build/, so the bench writes keys exactly as the hub
 * does.
 */
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT } from './proc.mjs';

const OUT = fileURLToPath(new URL('../.build/product.mjs', import.meta.url));

const ENTRY = `
export { generateKey, hashKey, last8 } from './src/hub/keys/format.ts';
export { newId, nowIso } from './src/hub/ids.ts';
export { normalizeAllowlist } from './src/hub/allowlist/allowlist.ts';
export { PUBLIC_KEY_PREFIX } from './src/protocol/keys.ts';
export { HANDSHAKE_PATH } from './src/protocol/handshake.ts';
export { LOADER_GZIP_BUDGET, LOADER_GZIP_AIM } from './src/protocol/budgets.ts';
`;

export async function loadProduct() {
  await build({
    stdin: { contents: ENTRY, resolveDir: ROOT, sourcefile: 'bench-product.ts', loader: 'ts' },
    outfile: OUT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return import(pathToFileURL(OUT).href);
}
