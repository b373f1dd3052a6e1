/**
 * The demo account of `kataven demo` / `npm start`: an account, its default agent and two widget keys,
 * made through the same service as the Admin API's writes:
 *
 * - a test key (pk_test_), which the allowed demo site (http://localhost:3000) embeds: it works on any
 *   loopback page whatever its allowlist, and its widget shows a "Test" tag;
 * - a live key whose allowlist is only the allowed site (localhost:3000, or the --site-port given), which
 *   the refused demo site (http://127.0.0.1:3001) embeds: a test key would work there too (127.0.0.1 is
 *   loopback), so the refusal that site demonstrates is a live key's allowlist at work.
 *
 * Created on first start; the credentials are kept in the data directory (demo.json) so the demo sites
 * can embed the keys after a restart. Demo only: real keys are never stored.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAccount } from '../hub/accounts/repo.js';
import { DATA_FILE_MODE } from '../hub/data-dir.js';
import type { Hub } from '../hub/hub.js';
import { hashKey } from '../hub/keys/format.js';
import { findWidgetKey } from '../hub/widget-keys/repo.js';
import * as widgetKeys from '../hub/widget-keys/service.js';

interface DemoCredentials {
  account_id: string;
  secret_key: string;
  /** The test key of the allowed demo site. */
  widget_key: string;
  widget_key_id: string;
  /** The live key of the refused demo site. */
  live_widget_key: string;
  live_widget_key_id: string;
}

export const DEMO_SITE_PORT = 3000;

export async function ensureDemo(hub: Hub, dataDir: string, sitePort = DEMO_SITE_PORT): Promise<{ demo: DemoCredentials; created: boolean }> {
  const { db } = hub.store;
  const deps = { db, keys: hub.ctx.keys, secret: hub.ctx.secret };
  const file = join(dataDir, 'demo.json');
  // Already normalised: the stored form, compared as is below.
  const allowlist = [`localhost:${sitePort}`];
  try {
    const demo = JSON.parse(await readFile(file, 'utf8')) as DemoCredentials;
    const test = await findWidgetKey(db, demo.account_id, demo.widget_key_id);
    const live = demo.live_widget_key_id ? await findWidgetKey(db, demo.account_id, demo.live_widget_key_id) : undefined;
    // A demo.json of an earlier version (one live key) is replaced, like a lost one.
    if (test?.mode === 'test' && test.key_hash === hashKey(demo.widget_key) && live && live.key_hash === hashKey(demo.live_widget_key)) {
      // The allowed site moved (--site-port): the live key follows it, so the refused site stays the only one refused.
      if (live.domain_allowlist !== JSON.stringify(allowlist)) await widgetKeys.update(deps, demo.account_id, live.id, { domain_allowlist: allowlist });
      return { demo, created: false };
    }
  } catch {
    /* no demo yet, or its database was replaced: create it below */
  }
  const account = await createAccount(db, 'Demo');
  const { created: test } = await widgetKeys.create(deps, account.account_id, { name: 'Demo site (test key)', mode: 'test' });
  const { created: live } = await widgetKeys.create(deps, account.account_id, { name: 'Demo site (live key)', domain_allowlist: allowlist });
  const demo: DemoCredentials = {
    account_id: account.account_id, secret_key: account.secret_key,
    widget_key: test.key, widget_key_id: test.id, live_widget_key: live.key, live_widget_key_id: live.id,
  };
  await writeFile(file, JSON.stringify(demo, null, 2) + '\n', { mode: DATA_FILE_MODE });
  return { demo, created: true };
}
