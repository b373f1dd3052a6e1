/**
 * Chromium for the e2e tests, as test/setup/chromium.ts finds it (KATAVEN_CHROMIUM, Playwright's
 * bundled browser, or the system one); that setup installs one before the tests when there is none.
 */
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath } from '../setup/chromium.js';

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
