/**
 * Console sessions: a random cookie value that the store knows only by its SHA-256, so a copy of the
 * database signs nobody in. The CSRF token is not stored: it is an HMAC of the cookie value under the
 * server secret, so only whoever holds the cookie's value (the browser, never page script: the cookie is
 * HttpOnly) and the hub can know it, and every process of a cluster computes the same one.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CONSOLE_SESSION_TTL_S } from '../../protocol/console.js';
import type { Database } from '../db/schema.js';

export interface ConsoleSessionRow {
  account_id: string;
  account_name: string;
  expires_at: string;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** 256 random bits, base64url: what the cookie carries. */
export const newSessionToken = () => randomBytes(32).toString('base64url');

export const csrfToken = (secret: string, token: string) => createHmac('sha256', secret).update(`console-csrf:${token}`).digest('base64url');

/** Opens a session for the secret key that signed in; drops sessions that have ended on the way (cheap: indexed). */
export async function openSession(db: Kysely<Database>, token: string, accountId: string, secretKeyId: string): Promise<ConsoleSessionRow> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + CONSOLE_SESSION_TTL_S * 1000).toISOString();
  await db.deleteFrom('console_sessions').where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('console_sessions')
    .values({ token_hash: tokenHash(token), account_id: accountId, secret_key_id: secretKeyId, created_at: now.toISOString(), expires_at: expiresAt })
    .execute();
  const account = await db.selectFrom('accounts').select('name').where('id', '=', accountId).executeTakeFirstOrThrow();
  return { account_id: accountId, account_name: account.name, expires_at: expiresAt };
}

/**
 * The session of this cookie value while it lasts: not past its own end, nor past the end of the secret
 * key that opened it (ISO 8601 UTC strings compare as text, db/schema.ts).
 */
export async function findSession(db: Kysely<Database>, token: string): Promise<ConsoleSessionRow | undefined> {
  const now = new Date().toISOString();
  return db
    .selectFrom('console_sessions as s')
    .innerJoin('secret_keys as k', 'k.id', 's.secret_key_id')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select(['s.account_id', 'a.name as account_name', 's.expires_at'])
    .where('s.token_hash', '=', tokenHash(token))
    .where('s.expires_at', '>', now)
    .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
    .executeTakeFirst();
}

export async function endSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('token_hash', '=', tokenHash(token)).execute();
}
