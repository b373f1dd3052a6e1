/**
 * `npm run test:mutation [-- group …] [--incremental]`: StrykerJS over each group of groups.mjs, one
 * after another (two cores), then one report of them all in reports/mutation/mutation.json. Exits 1 when
 * a group scores under its threshold (Stryker's `thresholds.break`) or cannot run.
 *
 * The hub's tests run on SQLite only here: the PostgreSQL and Redis variables are removed, because the
 * mutated code is the same on both stores and a second dialect would double the time.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUPS, groupNamed } from './groups.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPORTS = join(ROOT, 'reports', 'mutation');
const args = process.argv.slice(2);
const incremental = args.includes('--incremental');
const names = args.filter((a) => !a.startsWith('--'));
const groups = names.length ? names.map(groupNamed) : GROUPS;

const env = { ...process.env };
delete env.KATAVEN_TEST_DATABASE_URL;
delete env.KATAVEN_TEST_REDIS_URL;

function run(command, argv, extraEnv = {}) {
  return spawnSync(process.execPath, [command, ...argv], { cwd: ROOT, stdio: 'inherit', env: { ...env, ...extraEnv } });
}

if (groups.some((g) => g.dist)) {
  console.log('[mutation] node build.mjs: the hub in these tests serves dist/');
  if (run('build.mjs', ['--quiet']).status !== 0) process.exit(1);
}

/**
 * Stryker's mutation score: detected (killed, timeout) over detected and undetected (survived, no coverage).
 * Timeouts are counted apart too: on a loaded machine a slow test can time out, and that counts as caught.
 */
function score(report) {
  const count = { detected: 0, timeouts: 0, undetected: 0, ignored: 0, invalid: 0 };
  for (const file of Object.values(report.files)) {
    for (const { status } of file.mutants) {
      if (status === 'Timeout') count.timeouts++;
      if (status === 'Killed' || status === 'Timeout') count.detected++;
      else if (status === 'Survived' || status === 'NoCoverage') count.undetected++;
      else if (status === 'Ignored') count.ignored++;
      else count.invalid++;
    }
  }
  return { ...count, score: (100 * count.detected) / Math.max(1, count.detected + count.undetected) };
}

const results = [];
const merged = { schemaVersion: '2', thresholds: { high: 100, low: 90 }, files: {} };
for (const group of groups) {
  const reportFile = join(REPORTS, 'groups', `${group.name}.json`);
  rmSync(reportFile, { force: true });
  console.log(`\n[mutation] ${group.name}: ${group.mutate.join(' ')} (break ${group.break} %)`);
  const started = Date.now();
  const load = loadavg()[0];
  const stryker = run(join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js'), ['run', 'test/mutation/stryker.config.mjs', ...(incremental ? ['--incremental'] : [])], {
    KATAVEN_MUTATION_GROUP: group.name,
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  const loadAtEnd = loadavg()[0];
  let report = null;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch {
    /* Stryker failed before it reported: counted as a failure below */
  }
  const s = report ? score(report) : null;
  if (report) Object.assign(merged.files, report.files);
  results.push({ group, seconds, load, loadAtEnd, s, ok: stryker.status === 0 && report !== null });
}

mkdirSync(REPORTS, { recursive: true });
writeFileSync(join(REPORTS, 'mutation.json'), JSON.stringify(merged));

console.log('\n| group | score | break | killed | of which timeouts | survived | ignored | wall | load at start, end |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { group, seconds, load, loadAtEnd, s, ok } of results) {
  const figures = s ? [`${s.score.toFixed(1)} %`, `${group.break} %`, s.detected, s.timeouts, s.undetected, s.ignored] : ['no report', `${group.break} %`, '', '', '', ''];
  console.log(`| ${group.name} | ${figures.join(' | ')} | ${seconds} s | ${load.toFixed(1)}, ${loadAtEnd.toFixed(1)} |${ok ? '' : ' FAILED'}`);
}
console.log(`\n[mutation] report: ${join('reports', 'mutation', 'mutation.json')}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
