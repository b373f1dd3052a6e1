/** The README's example runs as written, against the built package (`import … from 'kataven'` → dist/index.js). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub('sqlite');
}, 120_000);
afterAll(() => hub.close());

it('examples/node-client.mjs creates, lists, updates, revokes and deletes a key', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/node-client.mjs'], {
    env: { ...process.env, KATAVEN_API_KEY: hub.account.secret_key, KATAVEN_BASE_URL: hub.url },
  });
  const id = /created (wk_\w+)/.exec(stdout)![1];
  expect(stdout).toMatch(new RegExp(`<script src="${hub.url}/widget/v1/loader.js" data-client-key="pk_live_\\w+" async></script>`));
  expect(stdout).toContain(`  ${id}  Example shop  …`);
  expect(stdout).toContain(`updated ${id}: Example shop (live), allows shop.example.com`);
  expect(stdout).toMatch(new RegExp(`revoked ${id} at \\d{4}-`));
  expect(stdout).toContain(`deleted ${id}`);
  expect(stdout).toContain('as expected, 404 not_found');
  expect((await hub.api('/api/v1/widget-keys')).body.data).toEqual([]);
});
