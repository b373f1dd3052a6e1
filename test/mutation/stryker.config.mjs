/**
 * StrykerJS for one group of test/mutation/groups.mjs (KATAVEN_MUTATION_GROUP); run.mjs runs them all.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
import { groupNamed } from './groups.mjs';

const group = groupNamed(process.env.KATAVEN_MUTATION_GROUP ?? '');

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: false },
  mutate: group.mutate,
  coverageAnalysis: 'perTest',
  // A mutant that hangs (a retry loop without its bound) is stopped after the tests' own time plus this.
  // Generous, because the machine is shared: a mutant that timed out counts as caught, so a false
  // timeout would hide a survivor. A group of pure functions sets less (groups.mjs): its loops are
  // what its mutants break, and each real timeout costs a worker this long.
  timeoutMS: group.timeoutMS ?? 15_000,
  // Two cores, shared: more workers only queue behind each other.
  concurrency: Number(process.env.KATAVEN_MUTATION_CONCURRENCY ?? 2),
  thresholds: { high: 100, low: group.break, break: group.break },
  // Stryker's default also stamps `// @ts-nocheck` on dist/loader.js in the sandbox, which pushes the
  // loader over its byte budget; only the TypeScript sources need it.
  disableTypeChecks: 'src/**/*.ts',
  ignorePatterns: ['reports', '.kataven', 'coverage', 'bench/results.json'],
  reporters: ['clear-text', 'progress', 'json'],
  clearTextReporter: { reportTests: false, logTests: false, allowColor: false },
  jsonReporter: { fileName: `reports/mutation/groups/${group.name}.json` },
  incrementalFile: `reports/mutation/incremental/${group.name}.json`,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
