/**
 * HMAC-SHA256 with a fixed key, exactly as RFC 2104 defines it: H((K ^ opad) || H((K ^ ipad) || m)),
 * computed with two one-shot `crypto.hash` calls over key pads prepared once. A `createHmac` per token
 * cost more than the hashing itself (a Hmac object, its key import and three validated calls: ~1.5 µs
 * of a ~3.5 µs signature, docs/performance.md §3). The output is byte for byte node:crypto's, which
 * test/hub/session/hmac.test.ts checks for keys and messages of every relevant length.
 */
import { hash } from 'node:crypto';

/** SHA-256's block size: keys up to this length are padded, longer ones hashed first (RFC 2104 §2). */
const BLOCK = 64;
const DIGEST = 32;

/** A signer for `key`; each call returns the base64url MAC of an ASCII (latin1-safe) message. */
export function hmacSha256(key: Uint8Array): (message: string) => string {
  const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key;
  // [K ^ ipad | message] and [K ^ opad | inner digest], reused by every call: signing is synchronous.
  let inner = Buffer.alloc(BLOCK + 1024, 0x36);
  const outer = Buffer.alloc(BLOCK + DIGEST, 0x5c);
  for (let i = 0; i < k.length; i++) {
    inner[i]! ^= k[i]!;
    outer[i]! ^= k[i]!;
  }
  return (message) => {
    if (BLOCK + message.length > inner.length) {
      const bigger = Buffer.alloc(BLOCK + message.length);
      inner.copy(bigger, 0, 0, BLOCK);
      inner = bigger;
    }
    const length = BLOCK + inner.write(message, BLOCK, 'latin1');
    // The inner digest as a `binary` (latin1) string: one character per byte, and cheaper than a Buffer.
    outer.write(hash('sha256', inner.subarray(0, length), 'binary'), BLOCK, 'latin1');
    return hash('sha256', outer, 'base64url');
  };
}
