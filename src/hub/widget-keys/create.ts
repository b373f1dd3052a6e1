/**
 * Creating a key, with Idempotency-Key: the same key and body within 24 h replay the first answer; the
 * same key with another body is a 409. The plaintext is never stored, not even for replays: with an
 * Idempotency-Key the key's random part is derived (HMAC) from a server secret, the account and that
 * Idempotency-Key, so a replay recomputes it and checks it against the stored hash.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CreatedWidgetKey, CreateWidgetKeyParams } from '../../protocol/api.js';
import { ID_PREFIX } from '../../protocol/ids.js';
import { PUBLIC_KEY_PREFIXES } from '../../protocol/keys.js';
import type { Database, WidgetKeyTable } from '../db/schema.js';
import { HubError } from '../errors.js';
import { newId, nowIso } from '../ids.js';
import { generateKey, hashKey, last8 } from '../keys/format.js';
import { findIdempotencyRecord, findWidgetKeyById, insertWidgetKey, toWidgetKey } from './repo.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

interface MintInput {
  accountId: string;
  params: CreateWidgetKeyParams;
  /** Already normalised. */
  allowlist: string[];
  idempotencyKey: string | undefined;
  secret: string;
}

// A test key's request carries its mode; a live key's hashes as it did before modes existed, so replays
// of records written before them still match.
const requestHash = (params: CreateWidgetKeyParams, allowlist: string[]) =>
  createHash('sha256')
    .update(JSON.stringify([params.name, allowlist, params.agent_id ?? null, ...(params.mode === 'test' ? ['test'] : [])]))
    .digest('hex');

const windowStart = () => new Date(Date.now() - IDEMPOTENCY_WINDOW_MS).toISOString();

export async function mintWidgetKey(db: Kysely<Database>, input: MintInput): Promise<{ created: CreatedWidgetKey; replayed: boolean }> {
  const { accountId, params, allowlist, idempotencyKey, secret } = input;
  const seedFor = (idem: string) => ({ secret, input: `${accountId}\0${idem}` });
  const mode = params.mode ?? 'live';
  const prefix = PUBLIC_KEY_PREFIXES[mode];
  if (idempotencyKey !== undefined) {
    const replay = await findReplay(db, accountId, idempotencyKey, requestHash(params, allowlist));
    if (replay) return { created: withPlaintext(replay, generateKey(prefix, seedFor(idempotencyKey))), replayed: true };
  }
  const key = idempotencyKey === undefined ? generateKey(prefix) : generateKey(prefix, seedFor(idempotencyKey));
  const now = nowIso();
  const row: WidgetKeyTable = {
    id: newId(ID_PREFIX.widgetKey),
    account_id: accountId,
    name: params.name,
    key_hash: hashKey(key),
    key_last8: last8(key),
    domain_allowlist: JSON.stringify(allowlist),
    agent_id: params.agent_id ?? null,
    created_at: now,
    updated_at: now,
    last_used_at: null,
    disabled_at: null,
    mode,
  };
  const record = idempotencyKey === undefined
    ? undefined
    : { account_id: accountId, idem_key: idempotencyKey, request_hash: requestHash(params, allowlist), widget_key_id: row.id, created_at: now };
  try {
    // An expired record for the same Idempotency-Key gives way to the new request.
    await insertWidgetKey(db, row, record && { record, expiredBefore: windowStart() });
  } catch (err) {
    // Two identical requests raced: the loser's insert hit the primary key; answer as a replay of the winner.
    if (idempotencyKey === undefined) throw err;
    const replay = await findReplay(db, accountId, idempotencyKey, requestHash(params, allowlist));
    if (!replay) throw err;
    return { created: withPlaintext(replay, generateKey(prefix, seedFor(idempotencyKey))), replayed: true };
  }
  return { created: withPlaintext(row, key), replayed: false };
}

async function findReplay(db: Kysely<Database>, accountId: string, idem: string, hash: string): Promise<WidgetKeyTable | null> {
  const record = await findIdempotencyRecord(db, accountId, idem, windowStart());
  if (!record) return null;
  if (record.request_hash !== hash) {
    throw new HubError(409, 'idempotency_conflict', `Idempotency-Key ${JSON.stringify(idem)} was already used with a different request body in the last 24 hours; use a new Idempotency-Key for a new request`);
  }
  const row = await findWidgetKeyById(db, record.widget_key_id);
  if (!row) {
    throw new HubError(409, 'idempotency_conflict', `Idempotency-Key ${JSON.stringify(idem)} created key ${record.widget_key_id}, which has since been deleted; use a new Idempotency-Key`);
  }
  return row;
}

function withPlaintext(row: WidgetKeyTable, key: string): CreatedWidgetKey {
  if (hashKey(key) !== row.key_hash) {
    // The server secret changed since the first request: the plaintext can no longer be recomputed.
    throw new HubError(409, 'idempotency_conflict', 'This create was already answered and its key cannot be shown again; use a new Idempotency-Key');
  }
  return { ...toWidgetKey(row), key };
}
