/**
 * The demo account of `kataven demo` / `npm start`: an account, its default agent and a widget key
 * allowing the allowed demo site (http://localhost:3000, or the --site-port given). Created on first
 * start; its credentials are kept in the data directory (demo.json) so the demo site can embed the key
 * after a restart. Demo only: real keys are never stored.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAccount } from '../hub/accounts/repo.js';
import { normalizeAllowlist } from '../hub/allowlist/allowlist.js';
import type { Store } from '../hub/db/index.js';
import { hashKey } from '../hub/keys/format.js';
import { createWidgetKey } from '../hub/widget-keys/create.js';

export interface DemoCredentials {
  account_id: string;
  secret_key: string;
  widget_key: string;
  widget_key_id: string;
}

export const DEMO_SITE_PORT = 3000;

export async function ensureDemo(store: Store, dataDir: string, secret: string, sitePort = DEMO_SITE_PORT): Promise<{ demo: DemoCredentials; created: boolean }> {
  const file = join(dataDir, 'demo.json');
  const allowlist = normalizeAllowlist([`localhost:${sitePort}`]);
  if (!allowlist.ok) throw new Error(allowlist.errors.join('; '));
  const stored = JSON.stringify(allowlist.list);
  try {
    const demo = JSON.parse(await readFile(file, 'utf8')) as DemoCredentials;
    const row = await store.db.selectFrom('widget_keys').select(['id', 'domain_allowlist']).where('key_hash', '=', hashKey(demo.widget_key)).executeTakeFirst();
    if (row) {
      // The demo site moved (--site-port): the demo key follows it, or the widget would be refused there.
      if (row.domain_allowlist !== stored) await store.db.updateTable('widget_keys').set({ domain_allowlist: stored }).where('id', '=', row.id).execute();
      return { demo, created: false };
    }
  } catch {
    /* no demo yet, or its database was replaced: create it below */
  }
  const account = await createAccount(store.db, 'Demo');
  const { created } = await createWidgetKey(store.db, {
    accountId: account.account_id,
    params: { name: 'Demo site' },
    allowlist: allowlist.list,
    idempotencyKey: undefined,
    secret,
  });
  const demo = { account_id: account.account_id, secret_key: account.secret_key, widget_key: created.key, widget_key_id: created.id };
  await writeFile(file, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  return { demo, created: true };
}
