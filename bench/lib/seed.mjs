/**
 * Accounts and widget keys for the runs. The account (with its default agent) is made by the real CLI;
 * widget keys are written straight into the store in the shape the Admin API writes (src/hub/db/
 * migrations.ts, src/hub/widget-keys/repo.ts): posting 100,000 keys through the API would take minutes.
 * Key, id and allowlist come from the product's own code (lib/product.mjs), so every row is one the hub
 * could have written.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { CLI, runNode } from './proc.mjs';

/** `kataven accounts create --json`: also creates the store and runs the migrations. */
export async function createAccount({ dataDir, databaseUrl }) {
  const args = [CLI, 'accounts', 'create', '--name', 'Bench', '--json', '--data-dir', dataDir];
  if (databaseUrl) args.push('--database-url', databaseUrl);
  return JSON.parse(await runNode(args));
}

/**
 * Widget key specs: `count` keys whose allowlist is `allowlist(i)` (normalised by the product's rules;
 * a refusal stops the bench, since the hub would never hold such a row).
 */
export function makeKeys(product, count, allowlist) {
  const keys = [];
  for (let i = 0; i < count; i++) {
    const list = allowlist(i);
    const norm = product.normalizeAllowlist(list);
    if (!norm.ok) throw new Error(`bench allowlist refused by the product: ${norm.errors.join('; ')}`);
    keys.push({ key: product.generateKey(product.PUBLIC_KEY_PREFIX), allowlist: norm.list });
  }
  return keys;
}

function rowsOf(product, accountId, keys) {
  const now = product.nowIso();
  return keys.map(({ key, allowlist }) => [
    product.newId('wk'), accountId, 'bench', product.hashKey(key), product.last8(key), JSON.stringify(allowlist), null, now, now, null, null,
  ]);
}

const COLUMNS = 'id, account_id, name, key_hash, key_last8, domain_allowlist, agent_id, created_at, updated_at, last_used_at, disabled_at';

/** Appends keys to the store of a hub that is not running (SQLite) or to a PostgreSQL database. */
export async function insertKeys(product, { dataDir, databaseUrl }, accountId, keys) {
  const rows = rowsOf(product, accountId, keys);
  if (!databaseUrl) {
    const db = new Database(join(dataDir, 'kataven.sqlite'));
    try {
      const insert = db.prepare(`INSERT INTO widget_keys (${COLUMNS}) VALUES (${COLUMNS.split(',').map(() => '?').join(',')})`);
      db.transaction(() => {
        for (const row of rows) insert.run(row);
      })();
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let start = 0; start < rows.length; start += 1000) {
      const batch = rows.slice(start, start + 1000);
      const values = batch.map((_, r) => `(${Array.from({ length: 11 }, (_, c) => `$${r * 11 + c + 1}`).join(',')})`).join(',');
      await client.query(`INSERT INTO widget_keys (${COLUMNS}) VALUES ${values}`, batch.flat());
    }
  } finally {
    await client.end();
  }
}

/** The handshake request autocannon sends for one key and one page origin: exactly what the loader sends. */
export function handshakeRequest(product, key, origin, path = product.HANDSHAKE_PATH) {
  return {
    method: 'POST',
    path,
    headers: { origin, 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ client_key: key }),
  };
}
