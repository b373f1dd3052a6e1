import { describe, expect, it } from 'vitest';
import { ensureChromium, planChromium, type MachineFacts } from './chromium.js';

const BUNDLED = '/home/dev/.cache/ms-playwright/chromium-1/chrome-linux64/chrome';
const SYSTEM = '/usr/bin/chromium';

/** A described machine: which files and commands exist, who runs the tests. */
function machine({ files = [] as string[], commands = ['npx'], uid = 1000 as number | undefined, env = {} as Record<string, string> } = {}): MachineFacts {
  return {
    env,
    uid,
    bundledPath: BUNDLED,
    systemPath: SYSTEM,
    exists: (path) => files.includes(path),
    hasCommand: (name) => commands.includes(name),
  };
}

const installs = (facts: MachineFacts) => {
  const plan = planChromium(facts);
  return 'installs' in plan ? plan.installs.map((i) => i.how) : plan;
};

describe('planChromium', () => {
  it("takes Playwright's bundled Chromium first", () => {
    expect(planChromium(machine({ files: [BUNDLED, SYSTEM] }))).toEqual({ found: BUNDLED, source: 'playwright' });
  });

  it('takes the system Chromium when Playwright has none', () => {
    expect(planChromium(machine({ files: [SYSTEM] }))).toEqual({ found: SYSTEM, source: 'system' });
  });

  it('takes KATAVEN_CHROMIUM over both', () => {
    const facts = machine({ files: [BUNDLED, SYSTEM, '/opt/chrome'], env: { KATAVEN_CHROMIUM: '/opt/chrome' } });
    expect(planChromium(facts)).toEqual({ found: '/opt/chrome', source: 'KATAVEN_CHROMIUM' });
  });

  it('refuses a KATAVEN_CHROMIUM that does not exist instead of installing another', () => {
    const plan = planChromium(machine({ files: [SYSTEM], uid: 0, commands: ['apt-get', 'npx'], env: { KATAVEN_CHROMIUM: '/opt/nope' } }));
    expect(plan).toEqual({ error: expect.stringContaining('KATAVEN_CHROMIUM=/opt/nope: no such file') });
  });

  it("installs Debian's package as root with apt-get, Playwright's as the fallback", () => {
    expect(installs(machine({ uid: 0, commands: ['apt-get', 'npx'] }))).toEqual(['apt', 'playwright']);
  });

  it('runs apt-get update before apt-get install', () => {
    const plan = planChromium(machine({ uid: 0, commands: ['apt-get'] }));
    expect('installs' in plan && plan.installs[0]!.commands.map((c) => c.slice(0, 2).join(' '))).toEqual(['apt-get update', 'apt-get install']);
  });

  it("installs Playwright's Chromium when not root, even with apt-get", () => {
    expect(installs(machine({ uid: 1000, commands: ['apt-get', 'npx'] }))).toEqual(['playwright']);
  });

  it("installs Playwright's Chromium as root without apt-get", () => {
    expect(installs(machine({ uid: 0, commands: ['npx'] }))).toEqual(['playwright']);
  });

  it("installs Playwright's Chromium where there is no uid (Windows)", () => {
    expect(installs(machine({ uid: undefined, commands: ['npx', 'apt-get'] }))).toEqual(['playwright']);
  });

  it('names the exact commands when nothing can install', () => {
    const plan = planChromium(machine({ commands: [] }));
    expect(plan).toMatchObject({ installs: [] });
    expect('manual' in plan && plan.manual).toContain('sudo apt-get update -qq && sudo apt-get install -y -qq chromium');
    expect('manual' in plan && plan.manual).toContain('npx playwright-core install chromium');
  });
});

describe('ensureChromium', () => {
  it('stops with the commands to run when no install is possible', () => {
    const lines: string[] = [];
    expect(() => ensureChromium(machine({ commands: [] }), (line) => lines.push(line))).toThrow(/Run one of:\n {2}sudo apt-get/);
    expect(lines).toEqual([]);
  });

  it('returns the found Chromium without printing or installing', () => {
    const lines: string[] = [];
    expect(ensureChromium(machine({ files: [SYSTEM], uid: 0, commands: ['apt-get'] }), (line) => lines.push(line))).toBe(SYSTEM);
    expect(lines).toEqual([]);
  });
});
