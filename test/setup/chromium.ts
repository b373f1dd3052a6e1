/**
 * Chromium for the browser tests, found or installed before they run (vitest globalSetup), so that
 * `npm test` passes on a machine where no browser was ever installed.
 *
 * `planChromium` is the whole decision and takes the machine as plain facts, so its test can describe
 * any machine; `ensureChromium` gathers the real facts and carries the plan out. test/e2e/browser.ts
 * launches the path this module finds: there is one lookup.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** What the decision needs to know about a machine. */
export interface MachineFacts {
  env: Record<string, string | undefined>;
  /** process.getuid(); undefined on Windows. */
  uid: number | undefined;
  /** Where playwright-core looks for its own downloaded Chromium. */
  bundledPath: string;
  /** Debian's Chromium (the package `chromium` installs here). */
  systemPath: string;
  exists(path: string): boolean;
  hasCommand(name: string): boolean;
}

export interface Install {
  how: 'apt' | 'playwright';
  /** Shown to the user as well as run: the exact commands. */
  commands: string[][];
  env?: Record<string, string>;
}

export type ChromiumPlan =
  | { found: string; source: 'KATAVEN_CHROMIUM' | 'playwright' | 'system' }
  | { error: string }
  | { installs: Install[]; manual: string };

// playwright-core's own CLI, not `npx playwright`: npx would fetch the latest `playwright`, whose
// browser revision need not be the one this playwright-core launches (executablePath names a revision).
const PLAYWRIGHT_INSTALL: Install = { how: 'playwright', commands: [['npx', 'playwright-core', 'install', 'chromium']] };
const APT_INSTALL: Install = {
  how: 'apt',
  commands: [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', 'chromium'],
  ],
  env: { DEBIAN_FRONTEND: 'noninteractive' },
};

export const shellLine = (commands: string[][]) => commands.map((c) => c.join(' ')).join(' && ');

/** Which Chromium to launch, or how to get one on this machine. */
export function planChromium(facts: MachineFacts): ChromiumPlan {
  const chosen = facts.env.KATAVEN_CHROMIUM;
  if (chosen) {
    // An explicit choice is never replaced by another browser behind the user's back.
    if (facts.exists(chosen)) return { found: chosen, source: 'KATAVEN_CHROMIUM' };
    return { error: `KATAVEN_CHROMIUM=${chosen}: no such file. Point it at a Chromium executable, or unset it to let the tests find or install one.` };
  }
  if (facts.exists(facts.bundledPath)) return { found: facts.bundledPath, source: 'playwright' };
  if (facts.exists(facts.systemPath)) return { found: facts.systemPath, source: 'system' };
  const installs: Install[] = [];
  // apt-get needs root; Debian's package is what CI and the README use, and it brings its libraries.
  if (facts.uid === 0 && facts.hasCommand('apt-get')) installs.push(APT_INSTALL);
  if (facts.hasCommand('npx')) installs.push(PLAYWRIGHT_INSTALL);
  const manual = [
    shellLine(APT_INSTALL.commands.map((c) => ['sudo', ...c])),
    shellLine(PLAYWRIGHT_INSTALL.commands),
    'KATAVEN_CHROMIUM=/path/to/chromium npm test',
  ].join('\n  or: ');
  return { installs, manual: `No Chromium for the browser tests, and none could be installed here. Run one of:\n  ${manual}` };
}

function onPath(name: string, env: Record<string, string | undefined>): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** This machine, as planChromium sees it. */
export function machineFacts(env = process.env): MachineFacts {
  let bundledPath = '';
  try {
    bundledPath = chromium.executablePath();
  } catch {
    /* a platform playwright-core has no build for */
  }
  return {
    env,
    uid: process.getuid?.(),
    bundledPath,
    systemPath: SYSTEM_CHROMIUM,
    exists: (path) => path !== '' && existsSync(path),
    hasCommand: (name) => onPath(name, env),
  };
}

/** The Chromium to launch; throws the plan's message when there is none (nothing is installed here). */
export function chromiumPath(facts = machineFacts()): string {
  const plan = planChromium(facts);
  if ('found' in plan) return plan.found;
  throw new Error('error' in plan ? plan.error : `${plan.manual}\n(npm test installs one by itself when it can.)`);
}

const run = (command: string[], env?: Record<string, string>) =>
  spawnSync(command[0]!, command.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } }).status === 0;

/** Finds Chromium, installing it when the machine allows; throws with the commands to run otherwise. */
export function ensureChromium(facts = machineFacts(), log = (line: string) => console.log(line)): string {
  const plan = planChromium(facts);
  if ('found' in plan) return plan.found;
  if ('error' in plan) throw new Error(plan.error);
  for (const install of plan.installs) {
    log(`[test setup] no Chromium found; installing it: ${shellLine(install.commands)}`);
    const started = Date.now();
    const ok = install.commands.every((command) => run(command, install.env));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const after = planChromium(facts);
    if (ok && 'found' in after) {
      log(`[test setup] Chromium installed in ${seconds} s: ${after.found}`);
      return after.found;
    }
    log(`[test setup] ${install.how} install did not give a Chromium (after ${seconds} s)`);
  }
  throw new Error(plan.manual);
}

/** vitest globalSetup: runs once before the test files. */
export function setup(): void {
  ensureChromium();
}
