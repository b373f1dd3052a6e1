/**
 * /docs in Chromium: Swagger UI renders every operation of /api/v1/openapi.json, with example values,
 * without one request leaving the hub or one CSP violation, and every client doc comment's @see anchor
 * lands on its operation.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { launchChromium } from './browser.js';

const CLIENT_FILES = ['src/client/widget-keys.ts', 'src/client/agents.ts', 'src/client/conversations.ts', 'src/client/secret-keys.ts'];

describe('/docs in Chromium', () => {
  let hub: TestHub;
  let browser: Browser;
  const requests: string[] = [];
  const outside: string[] = [];
  let violations: string[];
  let operations: { tag: string; method: string; path: string; hasBody: boolean }[];
  let page: import('playwright-core').Page;

  beforeAll(async () => {
    hub = await startTestHub('sqlite');
    browser = await launchChromium();
    const doc = (await hub.api('/api/v1/openapi.json')).body as { paths: Record<string, Record<string, { tags: string[]; requestBody?: unknown }>> };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ tag: op.tags[0]!, method, path, hasBody: op.requestBody !== undefined })),
    );
    const context = await browser.newContext();
    // Anything not for the hub is recorded and refused: the page must work with no internet.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(hub.url + '/') || url.startsWith('data:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.addInitScript(() => {
      const seen: string[] = ((window as unknown as { cspViolations: string[] }).cspViolations = []);
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`${hub.url}/docs`);
    // Swagger UI renders every operation after fetching and parsing the document: slow on a loaded machine.
    await page.locator('.opblock').nth(operations.length - 1).waitFor({ timeout: 45_000 });
    violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('renders every operation of the OpenAPI document', async () => {
    expect(operations.length).toBeGreaterThanOrEqual(8);
    // Writes take bodies, rotations aside: the example check below must not pass for want of any.
    expect(operations.filter((op) => op.hasBody).length).toBeGreaterThanOrEqual(6);
    expect(await page.locator('.opblock').count()).toBe(operations.length);
    for (const op of operations) {
      const block = page.locator(`.opblock-${op.method}`).filter({ has: page.locator(`[data-path="${op.path}"]`) });
      expect(await block.count(), `${op.method} ${op.path}`).toBe(1);
    }
  });

  it('shows an example response for every operation and an example body for every write', async () => {
    for (const op of operations) {
      const block = page.locator(`.opblock-${op.method}`).filter({ has: page.locator(`[data-path="${op.path}"]`) });
      const text = await block.innerText();
      expect(text, `${op.method} ${op.path}`).toContain('Example Value');
      if (op.path.includes('widget-keys') && op.method !== 'delete') expect(text).toContain('acme.example');
      // Every write that takes a body shows an example of it (a rotation without options takes none).
      if (op.hasBody) expect(await block.locator('.opblock-section-request-body').count()).toBe(1);
    }
  });

  it('sends no request outside the hub and breaks no CSP rule', () => {
    expect(requests.length).toBeGreaterThan(3);
    expect(outside).toEqual([]);
    expect(violations).toEqual([]);
  });

  it("lands every client method's @see link on its operation", async () => {
    const anchors = CLIENT_FILES.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/@see \S+\/docs#\/([\w-]+)\/(\w+)/g)]);
    expect(anchors).toHaveLength(operations.length);
    for (const [, tag, id] of anchors) {
      expect(await page.locator(`#operations-${tag}-${id}`).count(), `${tag}/${id}`).toBe(1);
    }
  });
});
