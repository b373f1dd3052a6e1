/** Chromium for the bench and the docs' screenshots: the binary, and the flags the e2e tests use too. */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Playwright's own Chromium when it is installed, else the system one (as the e2e tests do). */
export function chromiumPath() {
  let bundled = '';
  try {
    bundled = chromium.executablePath();
  } catch {}
  if (bundled && existsSync(bundled)) return bundled;
  const system = process.env.KATAVEN_CHROMIUM ?? '/usr/bin/chromium';
  if (existsSync(system)) return system;
  throw new Error(`no Chromium: install Playwright's (npx playwright install chromium) or one at ${system}, or set KATAVEN_CHROMIUM`);
}
