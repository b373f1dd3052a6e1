/**
 * The demo account of `kataven demo` / `npm start`: an account, its default agent and a widget key
 * allowing the allowed demo site (http://localhost:3000, or the --site-port given), made through the same
 * service as the Admin API's writes. Created on first start; its credentials are kept in the data
 * directory (demo.json) so the demo site can embed the key after a restart. Demo only: real keys are
 * never stored.
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
  widget_key: string;
  widget_key_id: string;
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
    const row = await findWidgetKey(db, demo.account_id, demo.widget_key_id);
    if (row && row.key_hash === hashKey(demo.widget_key)) {
      // The demo site moved (--site-port): the demo key follows it, or the widget would be refused there.
      if (row.domain_allowlist !== JSON.stringify(allowlist)) await widgetKeys.update(deps, demo.account_id, row.id, { domain_allowlist: allowlist });
      return { demo, created: false };
    }
  } catch {
    /* no demo yet, or its database was replaced: create it below */
  }
  const account = await createAccount(db, 'Demo');
  const { created } = await widgetKeys.create(deps, account.account_id, { name: 'Demo site', domain_allowlist: allowlist });
  const demo = { account_id: account.account_id, secret_key: account.secret_key, widget_key: created.key, widget_key_id: created.id };
  await writeFile(file, JSON.stringify(demo, null, 2) + '\n', { mode: DATA_FILE_MODE });
  return { demo, created: true };
}
