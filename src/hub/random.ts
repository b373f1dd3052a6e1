/**
 * 128 random bits as text, for the values minted on every request (request ids, session `jti`).
 * One `randomFillSync` fills a pool of 256 values, so each value costs a slice of a buffer instead of a
 * call into the CSPRNG; the bytes are the same CSPRNG output either way. Node's `randomUUID` pools the
 * same way, but then formats a UUID that the request id took apart again.
 */
import { randomFillSync } from 'node:crypto';

const VALUE_BYTES = 16;
const pool = Buffer.allocUnsafeSlow(VALUE_BYTES * 256);
let offset = pool.length;

/** 32 hex digits (`hex`) or 22 base64url characters (`base64url`), never the same bytes twice. */
export function random128(encoding: 'hex' | 'base64url'): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const value = pool.toString(encoding, offset, offset + VALUE_BYTES);
  offset += VALUE_BYTES;
  return value;
}
