/**
 * Accounts and their secret keys. A new account gets its default agent and one secret key, in one
 * transaction. A rotation mints a new key and gives the others an end (see rotateSecretKey).
 */
import type { Kysely } from 'kysely';
import type { RotatedSecretKey } from '../../protocol/api.js';
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
    await insertSecretKey(trx, accountId, secretKey, now);
    return insertAgent(trx, accountId, { name: `${name} assistant` }, true);
  });
  return { account_id: accountId, secret_key: secretKey, agent_id: agent.id };
}

function insertSecretKey(db: Kysely<Database>, accountId: string, secretKey: string, now: string) {
  return db
    .insertInto('secret_keys')
    .values({ id: newId(ID_PREFIX.secretKey), account_id: accountId, key_hash: hashKey(secretKey), key_last8: last8(secretKey), created_at: now, expires_at: null })
    .execute();
}

/** The account a secret key belongs to, by hash (unique index), with the key's end if it was rotated. */
export async function accountForSecretHash(db: Kysely<Database>, keyHash: string) {
  return db.selectFrom('secret_keys').select(['id', 'account_id', 'key_hash', 'expires_at']).where('key_hash', '=', keyHash).executeTakeFirst();
}

/**
 * A new secret key for the account; every other key of the account that would outlive the grace period
 * ends when it ends (a key already ending sooner keeps its earlier end). One transaction: a failure
 * leaves the old keys as they were. Null when there is no such account.
 */
export async function rotateSecretKey(db: Kysely<Database>, accountId: string, graceSeconds: number): Promise<RotatedSecretKey | null> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + graceSeconds * 1000).toISOString();
  const secretKey = generateKey(SECRET_KEY_PREFIX);
  return db.transaction().execute(async (trx) => {
    const account = await trx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
    if (!account) return null;
    await trx
      .updateTable('secret_keys')
      .set({ expires_at: expiresAt })
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', expiresAt)]))
      .execute();
    await insertSecretKey(trx, accountId, secretKey, now.toISOString());
    return { secret_key: secretKey, key_last8: last8(secretKey), previous_keys_expire_at: expiresAt };
  });
}
