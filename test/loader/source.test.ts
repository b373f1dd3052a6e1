// The loader suite against the TypeScript source: `boot` imported from src, globals passed in.
import { describe } from 'vitest';
import { boot, type LoaderWindow } from '../../src/loader/boot.js';
import { loaderSuite } from './suite.js';

describe('loader (source)', () => {
  loaderSuite({ inPageRealm: false }, (page, script) => boot(script, page.win as unknown as LoaderWindow));
});
