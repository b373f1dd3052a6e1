/** `kataven accounts create --name NAME [--json]`: works on the store directly, prints the secret key once. */
import { createAccount } from '../hub/accounts/repo.js';
import { openStore } from '../hub/db/index.js';
import { parse, UsageError } from './args.js';
import { HUB_FLAG_OPTIONS, hubConfigOrExit } from './hub-config.js';

const ACCOUNTS_USAGE = `Usage: kataven accounts create --name NAME [--json] [--data-dir DIR] [--database-url URL]

Creates an account with its default agent and prints its secret key (sk_live_…) once.
  --name NAME     account name (required)
  --json          print {"account_id": "…", "secret_key": "sk_live_…"} only`;

export async function accountsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { ...HUB_FLAG_OPTIONS, name: { type: 'string' }, json: { type: 'boolean' } }, ACCOUNTS_USAGE);
  if (values.help) return void console.log(ACCOUNTS_USAGE);
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
