/**
 * The Vitest config Stryker runs (test/mutation/stryker.config.mjs): one project holding only the tests
 * of the group in KATAVEN_MUTATION_GROUP (test/mutation/groups.mjs), so a mutant is judged by the tests
 * that cover its code and a run takes minutes. No build here: the runner builds dist/ from the clean
 * sources before Stryker copies the project into its sandbox (a build in the sandbox would bundle the
 * instrumented sources).
 */
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import everyday from '../../vitest.config.js';
import { groupNamed } from './groups.mjs';

const group = groupNamed(process.env.KATAVEN_MUTATION_GROUP ?? '');
// The loader's build constants (timeouts, paths), taken from the everyday config so the two cannot drift.
const { define } = everyday.test!.projects![0] as TestProjectInlineConfiguration;

export default defineConfig({
  define,
  test: {
    name: `mutation-${group.name}`,
    include: group.tests,
    isolate: group.isolate ?? true,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // A test file that cannot load is a failure, which Stryker's runner would otherwise not see.
    reporters: ['default', './test/mutation/load-failure-reporter.ts'],
  },
});
