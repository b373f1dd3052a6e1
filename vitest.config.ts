import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Two cores: keep browser and database suites from starving each other.
    maxWorkers: 2,
    // Finds or installs Chromium for the browser tests (belongs to the `slow` project once there are projects).
    globalSetup: ['test/setup/chromium.ts'],
  },
});
