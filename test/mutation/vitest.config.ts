/**
 * The Vitest config Stryker runs (test/mutation/stryker.config.mjs): one project holding only the tests
 * of the group in KATAVEN_MUTATION_GROUP (test/mutation/groups.mjs), so a mutant is judged by the tests
 * that cover its code and a run takes minutes. No build here: the runner builds dist/ from the clean
 * sources before Stryker copies the project into its sandbox (a build in the sandbox would bundle the
 * instrumented sources).
 */
import { defineConfig } from 'vitest/config';
import { FRAME_READY_TIMEOUT_MS, HANDSHAKE_TIMEOUT_MS } from '../../src/protocol/timeouts.js';
import { groupNamed } from './groups.mjs';

const group = groupNamed(process.env.KATAVEN_MUTATION_GROUP ?? '');

export default defineConfig({
  // As in ../../vitest.config.ts: the loader's source run sees the shipped timeouts.
  define: {
    __HANDSHAKE_TIMEOUT_MS__: String(HANDSHAKE_TIMEOUT_MS),
    __HANDSHAKE_TIMEOUT_S__: JSON.stringify(String(HANDSHAKE_TIMEOUT_MS / 1000)),
    __FRAME_READY_TIMEOUT_MS__: String(FRAME_READY_TIMEOUT_MS),
  },
  test: {
    name: `mutation-${group.name}`,
    include: group.tests,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
