/**
 * Chromium for the e2e tests: Playwright's own bundled browser when it is installed (a developer's
 * machine), otherwise the system Chromium (/usr/bin/chromium; CI installs Debian's package).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const SYSTEM_CHROMIUM = process.env.KATAVEN_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumPath(): string {
  let bundled = '';
  try {
    bundled = chromium.executablePath();
  } catch {
    /* playwright-core without a downloaded browser */
  }
  if (bundled && existsSync(bundled)) return bundled;
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  throw new Error(`No Chromium found: install Playwright's browser (npx playwright install chromium) or a system Chromium at ${SYSTEM_CHROMIUM} (apt-get install chromium), or set KATAVEN_CHROMIUM`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // Debian's Chromium enables third-party-cookie blocking, which also denies localStorage to
      // cross-site iframes (SecurityError). Chrome's default lets the frame keep its partitioned
      // storage, which is what the reload test is about; the frame's fallback when storage is denied
      // (memory only) has its own unit test.
      '--disable-features=TrackingProtection3pcd',
    ],
  });
}
