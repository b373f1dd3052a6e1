/**
 * Admin API authentication: `Authorization: Bearer sk_live_…`, scoped to that key's account.
 * The key is checked for shape and checksum first (no database touch for garbage), then found by hash.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { SECRET_KEY_PREFIX } from '../protocol/keys.js';
import { accountForSecretHash } from './accounts/repo.js';
import { bearerToken } from './bearer.js';
import type { Database } from './db/schema.js';
import { HubError } from './errors.js';
import { hashKey, isWellFormedKey } from './keys/format.js';

declare module 'fastify' {
  interface FastifyRequest {
    accountId: string;
  }
}

const HINT = 'Send `Authorization: Bearer sk_live_…` with the secret key from `kataven accounts create`';

export async function authenticate(db: Kysely<Database>, request: FastifyRequest): Promise<string> {
  const header = request.headers.authorization;
  if (!header) throw new HubError(401, 'authentication_required', `No API key given. ${HINT}`);
  const key = bearerToken(header);
  if (!key) throw new HubError(401, 'authentication_required', `The Authorization header is not a Bearer token. ${HINT}`);
  if (key.startsWith('pk_')) {
    throw new HubError(401, 'invalid_api_key', 'That is a public widget key (pk_live_…); the Admin API takes a secret key (sk_live_…)');
  }
  if (!isWellFormedKey(SECRET_KEY_PREFIX, key)) {
    throw new HubError(401, 'invalid_api_key', `The API key is malformed (wrong prefix, length or checksum). ${HINT}`);
  }
  const hash = hashKey(key);
  const row = await accountForSecretHash(db, hash);
  // The index lookup already used the hash; compare again in constant time so no timing depends on the key.
  if (!row || !timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash))) {
    throw new HubError(401, 'invalid_api_key', `No account has this API key ending in ${key.slice(-8)}. ${HINT}`);
  }
  // ISO 8601 UTC strings compare as text (db/schema.ts).
  if (row.expires_at !== null && row.expires_at <= new Date().toISOString()) {
    throw new HubError(401, 'invalid_api_key', `The API key ending in ${key.slice(-8)} was rotated and stopped working at ${row.expires_at}; use the account's newer key`);
  }
  return row.account_id;
}
