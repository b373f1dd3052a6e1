/**
 * The demo account of `kataven demo` / `npm start`: an account, its default agent and a widget key
 * allowing http://localhost:3000, made through the same service as the Admin API's creates. Created on
 * first start; its credentials are kept in the data directory (demo.json) so the demo site can embed the
 * key after a restart. Demo only: real keys are never stored.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAccount } from '../hub/accounts/repo.js';
import type { Hub } from '../hub/hub.js';
import { hashKey } from '../hub/keys/format.js';
import { widgetKeyExists } from '../hub/widget-keys/repo.js';
import * as widgetKeys from '../hub/widget-keys/service.js';

interface DemoCredentials {
  account_id: string;
  secret_key: string;
  widget_key: string;
  widget_key_id: string;
}

export const DEMO_ALLOWLIST = ['localhost:3000'];

export async function ensureDemo(hub: Hub, dataDir: string): Promise<{ demo: DemoCredentials; created: boolean }> {
  const { db } = hub.store;
  const file = join(dataDir, 'demo.json');
  try {
    const demo = JSON.parse(await readFile(file, 'utf8')) as DemoCredentials;
    if (await widgetKeyExists(db, hashKey(demo.widget_key))) return { demo, created: false };
  } catch {
    /* no demo yet, or its database was replaced: create it below */
  }
  const account = await createAccount(db, 'Demo');
  const { created } = await widgetKeys.create(
    { db, keys: hub.ctx.keys, secret: hub.ctx.secret },
    account.account_id,
    { name: 'Demo site', domain_allowlist: DEMO_ALLOWLIST },
  );
  const demo = { account_id: account.account_id, secret_key: account.secret_key, widget_key: created.key, widget_key_id: created.id };
  await writeFile(file, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  return { demo, created: true };
}
