/**
 * Keys: prefix + 32 random base62 characters + 6 base62 characters of the CRC32 of prefix and body.
 * The checksum lets the hub refuse a mistyped or truncated key without touching the database.
 * Stored: the SHA-256 of the whole key (192 bits of randomness make a pepper unnecessary) and the last 8.
 */
import { createHmac, hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { KEY_CHECKSUM_LENGTH, KEY_RANDOM_LENGTH, PUBLIC_KEY_PREFIXES, type KeyMode } from '../../protocol/keys.js';
import { memoByText } from '../memo.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform base62 from bytes: reject bytes ≥ 248 (4 × 62) so no character is more likely than another. */
function base62From(next: () => Buffer, length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of next()) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function checksum(prefixAndBody: string): string {
  let n = crc32(prefixAndBody);
  let out = '';
  for (let i = 0; i < KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** A fresh key. With `seed`, the random part is derived from it (HMAC), so the same seed gives the same key. */
export function generateKey(prefix: string, seed?: { secret: string; input: string }): string {
  let counter = 0;
  const next = seed
    ? () => createHmac('sha256', seed.secret).update(`${seed.input}\0${counter++}`).digest()
    : () => randomBytes(48);
  const body = prefix + base62From(next, KEY_RANDOM_LENGTH);
  return body + checksum(body);
}

const shapes = new Map<string, RegExp>();

/** Format and checksum only; says nothing of whether the key exists. */
export function isWellFormedKey(prefix: string, key: unknown): key is string {
  if (typeof key !== 'string') return false;
  let shape = shapes.get(prefix);
  // Stryker disable next-line ConditionalExpression: `true` builds the same regex on every call; only the cache is lost
  if (!shape) {
    shape = new RegExp(`^${prefix}[0-9A-Za-z]{${KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH}}$`);
    shapes.set(prefix, shape);
  }
  if (!shape.test(key)) return false;
  const cut = key.length - KEY_CHECKSUM_LENGTH;
  return checksum(key.slice(0, cut)) === key.slice(cut);
}

/** A widget key's mode by its prefix when it is well formed (format and checksum), else null. */
export function publicKeyMode(key: unknown): KeyMode | null {
  if (isWellFormedKey(PUBLIC_KEY_PREFIXES.live, key)) return 'live';
  return isWellFormedKey(PUBLIC_KEY_PREFIXES.test, key) ? 'test' : null;
}

export const isWellFormedPublicKey = (key: unknown): key is string => publicKeyMode(key) !== null;

/** One-shot crypto.hash: on every handshake, and cheaper than a Hash object. */
export function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/**
 * What the handshake and the frame look a widget key up by: its hash when it is well formed, null when
 * it is not (refused without touching the database). Remembered per key text (memo.ts): a site's pages
 * send the same key on every view, and the format check, checksum and SHA-256 were ~3 µs of every
 * handshake. The memo holds public keys only, which every page embedding one shows anyway.
 */
export const publicKeyHash = memoByText(10_000, (key): string | null => (isWellFormedPublicKey(key) ? hashKey(key) : null));

export const last8 = (key: string) => key.slice(-8);
