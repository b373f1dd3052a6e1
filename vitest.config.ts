import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { FRAME_ALLOW, FRAME_PATH } from './src/protocol/frame.js';
import { HANDSHAKE_PATH } from './src/protocol/handshake.js';
import { FRAME_READY_TIMEOUT_MS, HANDSHAKE_TIMEOUT_MS } from './src/protocol/timeouts.js';

/**
 * Three speeds (`npm run test:unit` for the edit-test loop, `npm test` for all):
 * - unit: the loader, the frame, the allowlist, the client's retries and errors. In-process only, seconds.
 * - integration: the hub, the client and the CLI over HTTP, on SQLite and (when configured) PostgreSQL.
 * - slow: Chromium end to end, hub processes in a cluster, injected faults.
 */
const UNIT = ['test/loader/**/*.test.ts', 'test/browser/**/*.test.ts', 'test/frame/**/*.test.ts', 'test/hub/allowlist/**/*.test.ts', 'test/client/retries.test.ts', 'test/client/errors.test.ts', 'test/setup/**/*.test.ts'];
// test/package packs and installs the package into a fresh directory: minutes, like the browser suites.
const SLOW = ['test/e2e/**/*.test.ts', 'test/cluster/**/*.test.ts', 'test/package/**/*.test.ts'];

const project = (name: string, include: string[], exclude: string[] = [], globalSetup: string[] = []): TestProjectInlineConfiguration => ({
  // The loader's source run sees the shipped timeouts and paths (src/loader/build-constants.d.ts), as dist/loader.js does.
  define: {
    __HANDSHAKE_TIMEOUT_MS__: String(HANDSHAKE_TIMEOUT_MS),
    __HANDSHAKE_TIMEOUT_S__: JSON.stringify(String(HANDSHAKE_TIMEOUT_MS / 1000)),
    __FRAME_READY_TIMEOUT_MS__: String(FRAME_READY_TIMEOUT_MS),
    __FRAME_PATH__: JSON.stringify(FRAME_PATH),
    __FRAME_ALLOW__: JSON.stringify(FRAME_ALLOW),
    __HANDSHAKE_PATH__: JSON.stringify(HANDSHAKE_PATH),
  },
  test: {
    name,
    include,
    exclude,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Two cores: keep browser and database suites from starving each other.
    maxWorkers: 2,
    globalSetup,
  },
});

export default defineConfig({
  test: {
    // Once per run, before any project (the root's globalSetup always runs): see the file.
    globalSetup: ['test/setup/build.ts'],
    projects: [
      project('unit', UNIT),
      project('integration', ['test/**/*.test.ts'], [...UNIT, ...SLOW]),
      // Finds or installs Chromium before the browser tests; the other projects never start one.
      project('slow', SLOW, [], ['test/setup/chromium.ts']),
    ],
  },
});
