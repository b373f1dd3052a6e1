/**
 * The demo account of `kataven demo` / `npm start`: an account, its default agent and a widget key
 * allowing http://localhost:3000. Created on first start; its credentials are kept in the data directory
 * (demo.json) so the demo site can embed the key after a restart. Demo only: real keys are never stored.
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

export const DEMO_ALLOWLIST = ['localhost:3000'];

export async function ensureDemo(store: Store, dataDir: string, secret: string): Promise<{ demo: DemoCredentials; created: boolean }> {
  const file = join(dataDir, 'demo.json');
  try {
    const demo = JSON.parse(await readFile(file, 'utf8')) as DemoCredentials;
    const row = await store.db.selectFrom('widget_keys').select('id').where('key_hash', '=', hashKey(demo.widget_key)).executeTakeFirst();
    if (row) return { demo, created: false };
  } catch {
    /* no demo yet, or its database was replaced: create it below */
  }
  const account = await createAccount(store.db, 'Demo');
  const allowlist = normalizeAllowlist(DEMO_ALLOWLIST);
  if (!allowlist.ok) throw new Error(allowlist.errors.join('; '));
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
