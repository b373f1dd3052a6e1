import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256 } from '../../../src/hub/session/hmac.js';

// Around SHA-256's 64-byte block and its 56-byte padding boundary, and past the 1 KB buffer the signer starts with.
const KEY_LENGTHS = [0, 1, 32, 63, 64, 65, 100, 200];
const MESSAGE_LENGTHS = [0, 1, 55, 56, 63, 64, 65, 300, 959, 960, 961, 1024, 3000];
const ascii = (n: number, seed: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7 + seed) % 94))).join('');

describe('hmacSha256', () => {
  it.each(KEY_LENGTHS)('equals node:crypto for a %i-byte key at every message length', (keyLength) => {
    const key = Buffer.from(ascii(keyLength, keyLength));
    const mac = hmacSha256(key);
    for (const n of MESSAGE_LENGTHS) {
      const message = ascii(n, n);
      expect(mac(message), `message of ${n} bytes`).toBe(createHmac('sha256', key).update(message).digest('base64url'));
    }
  });

  it('gives the same MAC after a longer message grew its buffer', () => {
    const key = Buffer.from('session-secret-0123456789abcdef0123456789');
    const mac = hmacSha256(key);
    const short = 'eyJhbGciOiJIUzI1NiJ9.e30';
    const before = mac(short);
    mac(ascii(5000, 3));
    expect(mac(short)).toBe(before);
    expect(before).toBe(createHmac('sha256', key).update(short).digest('base64url'));
  });
});
