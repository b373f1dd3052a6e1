/**
 * The mutation run's reporter (load-failure-reporter.ts) in a real vitest run, read back the way Stryker's
 * runner reads it: every test of every file in the run's state.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunnerTask, RunnerTestFile } from 'vitest';
import { createVitest } from 'vitest/node';
import LoadFailureReporter from './load-failure-reporter.js';

const dir = mkdtempSync(join(tmpdir(), 'kataven-load-failure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const testsOf = (task: RunnerTask): RunnerTask[] => (task.type === 'suite' ? task.tasks.flatMap(testsOf) : [task]);

async function run(): Promise<Map<string, RunnerTask[]>> {
  writeFileSync(join(dir, 'broken.mjs'), "throw new Error('module refused to load');\n");
  writeFileSync(join(dir, 'broken.test.mjs'), "import { it } from 'vitest';\nimport './broken.mjs';\nit('never runs', () => {});\n");
  writeFileSync(join(dir, 'fine.test.mjs'), "import { it, expect } from 'vitest';\nit('passes', () => expect(1).toBe(1));\n");
  const vitest = await createVitest('test', { root: dir, config: false, watch: false, reporters: [new LoadFailureReporter()] });
  try {
    await vitest.start();
    const files: RunnerTestFile[] = vitest.state.getFiles();
    return new Map(files.map((f) => [f.name, f.tasks.flatMap(testsOf)]));
  } finally {
    await vitest.close();
  }
}

describe('a mutation run', () => {
  it('counts a test file that cannot load as one failed test with the load error, and leaves a loaded file alone', async () => {
    const tests = await run();
    const broken = tests.get('broken.test.mjs')!;
    expect(broken).toHaveLength(1);
    expect(broken[0]!.result?.state).toBe('fail');
    expect(broken[0]!.result?.errors?.[0]?.message).toContain('module refused to load');
    expect(tests.get('fine.test.mjs')!.map((t) => [t.name, t.result?.state])).toEqual([['passes', 'pass']]);
  });
});
