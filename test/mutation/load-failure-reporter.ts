/**
 * Stryker's vitest runner (9.6.1, and 10.0.0) builds a mutant's result from the tests vitest collected.
 * A test file whose import throws collects none, so a mutant that stops a module from loading (a static
 * mutant such as a broken top-level constant) counts as survived although every test of it fails
 * (stryker-js#6150). This reporter gives each such file one failed test carrying its load error, in the
 * state the runner reads after the run; a file that loaded is left as it is.
 */
import type { RunnerTestCase, RunnerTestFile } from 'vitest';
import type { Reporter, Vitest } from 'vitest/node';

export function addLoadFailures(files: RunnerTestFile[]): void {
  for (const file of files) {
    if (file.result?.state !== 'fail' || file.tasks.length > 0) continue;
    const test = {
      type: 'test',
      name: 'loads',
      id: `${file.id}_load`,
      mode: 'run',
      file,
      suite: file,
      meta: {},
      context: undefined,
      result: { state: 'fail', errors: file.result.errors },
    } as unknown as RunnerTestCase; // the context of a test only vitest can build; nothing reads it after the run
    file.tasks.push(test);
  }
}

export default class LoadFailureReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(): void {
    if (this.vitest) addLoadFailures(this.vitest.state.getFiles());
  }
}
