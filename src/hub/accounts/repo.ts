/** Accounts and their secret keys. A new account gets its default agent and one secret key, in one transaction. */
import type { Kysely } from 'kysely';
import { ID_PREFIX } from '../../protocol/ids.js';
import { SECRET_KEY_PREFIX } from '../../protocol/keys.js';
import type { Database } from '../db/schema.js';
import { newId, nowIso } from '../ids.js';
import { generateKey, hashKey, last8 } from '../keys/format.js';
import { insertAgent } from '../agents/repo.js';

export interface NewAccount {
  account_id: string;
  secret_key: string;
  agent_id: string;
}

export async function createAccount(db: Kysely<Database>, name: string): Promise<NewAccount> {
  const accountId = newId(ID_PREFIX.account);
  const secretKey = generateKey(SECRET_KEY_PREFIX);
  const now = nowIso();
  const agent = await db.transaction().execute(async (trx) => {
    await trx.insertInto('accounts').values({ id: accountId, name, created_at: now }).execute();
    await trx
      .insertInto('secret_keys')
      .values({ id: newId(ID_PREFIX.secretKey), account_id: accountId, key_hash: hashKey(secretKey), key_last8: last8(secretKey), created_at: now })
      .execute();
    return insertAgent(trx, accountId, { name: `${name} assistant` }, true);
  });
  return { account_id: accountId, secret_key: secretKey, agent_id: agent.id };
}

/** The account a secret key belongs to, by hash (unique index). */
export async function accountForSecretHash(db: Kysely<Database>, keyHash: string): Promise<{ account_id: string; key_hash: string } | undefined> {
  return db.selectFrom('secret_keys').select(['account_id', 'key_hash']).where('key_hash', '=', keyHash).executeTakeFirst();
}
