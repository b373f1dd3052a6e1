/**
 * `kataven accounts create` and `kataven accounts rotate-key`: work on the store directly (no running hub,
 * no secret key needed: the way back in when a key is lost or leaked) and print the secret key once.
 */
import { SECRET_KEY_GRACE_DEFAULT_S } from '../protocol/api.js';
import { ID_PREFIX } from '../protocol/ids.js';
import { createAccount, rotateSecretKey } from '../hub/accounts/repo.js';
import { openStore } from '../hub/db/index.js';
import { parse, UsageError } from './args.js';
import type { Flags } from '../hub/config.js';
import { HUB_FLAG_OPTIONS, hubConfigOrExit } from './hub-config.js';

const ACCOUNTS_USAGE = `Usage: kataven accounts create --name NAME [--json] [--data-dir DIR] [--database-url URL]
       kataven accounts rotate-key --account ID [--grace-period SECONDS] [--json] [--data-dir DIR] [--database-url URL]

create      Creates an account with its default agent and prints its secret key (sk_live_…) once.
rotate-key  Mints a new secret key for the account and prints it once; the account's other keys keep
            working for the grace period, then are refused (the Admin API: POST /api/v1/secret-keys/rotate).
  --name NAME              account name (required by create)
  --account ID             the account (${ID_PREFIX.account}_…) whose key to rotate (required by rotate-key)
  --grace-period SECONDS   how long the previous keys keep working, default ${SECRET_KEY_GRACE_DEFAULT_S} (24 h); 0 revokes them now
  --json                   print JSON only: {"account_id": "…", "secret_key": "sk_live_…"} (create),
                           {"secret_key": "sk_live_…", "key_last8": "…", "previous_keys_expire_at": "…"} (rotate-key)`;

const FLAGS = { ...HUB_FLAG_OPTIONS, name: { type: 'string' }, account: { type: 'string' }, 'grace-period': { type: 'string' }, json: { type: 'boolean' } } as const;

export async function accountsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, FLAGS, ACCOUNTS_USAGE);
  if (values.help) return void console.log(ACCOUNTS_USAGE);
  if (positionals[0] === 'rotate-key') return rotateKey(values);
  if (positionals[0] !== 'create') throw new UsageError(`unknown accounts command ${JSON.stringify(positionals[0] ?? '')}\n\n${ACCOUNTS_USAGE}`);
  const name = values.name?.trim();
  if (!name) throw new UsageError(`--name is required\n\n${ACCOUNTS_USAGE}`);
  const config = hubConfigOrExit(values, { serving: false });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    const account = await createAccount(store.db, name);
    if (values.json) {
      // The documented form, spacing included: {"account_id": "…", "secret_key": "sk_live_…"}
      console.log(`{"account_id": ${JSON.stringify(account.account_id)}, "secret_key": ${JSON.stringify(account.secret_key)}}`);
    } else {
      console.log(`Created account ${account.account_id} (${name}) with default agent ${account.agent_id}.`);
      console.log(`Secret key (shown once, keep it safe): ${account.secret_key}`);
    }
  } finally {
    await store.close();
  }
}

async function rotateKey(values: Flags & { account?: string; 'grace-period'?: string; json?: boolean }): Promise<void> {
  const accountId = values.account?.trim();
  if (!accountId) throw new UsageError(`--account is required\n\n${ACCOUNTS_USAGE}`);
  const raw = values['grace-period'];
  const grace = raw === undefined ? SECRET_KEY_GRACE_DEFAULT_S : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(grace)) throw new UsageError(`--grace-period=${JSON.stringify(raw)}: must be a whole number of seconds (0 revokes the previous keys now)`);
  const config = hubConfigOrExit(values, { serving: false });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    const rotated = await rotateSecretKey(store.db, accountId, grace);
    if (!rotated) throw new Error(`no account ${JSON.stringify(accountId)} in this store; check --account, --data-dir and --database-url`);
    if (values.json) return void console.log(JSON.stringify(rotated));
    console.log(`New secret key for ${accountId} (shown once, keep it safe): ${rotated.secret_key}`);
    console.log(grace === 0 ? 'The previous keys are refused from now on.' : `The previous keys keep working until ${rotated.previous_keys_expire_at}, then are refused.`);
  } finally {
    await store.close();
  }
}
