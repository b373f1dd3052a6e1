/** Key format as rules: the alphabet, the randomness, the checksum and the hash (src/hub/keys/format.ts). */
import { createHash, createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { generateKey, hashKey, isWellFormedKey, isWellFormedPublicKey, last8, publicKeyHash, publicKeyMode } from '../../../src/hub/keys/format.js';
import { PUBLIC_KEY_PREFIXES, SECRET_KEY_PREFIX } from '../../../src/protocol/keys.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PK = 'pk_live_';
const SK = 'sk_live_';

/** The checksum read back as a number: base62 digits, most significant first. */
const checksumValue = (key: string) => [...key.slice(-6)].reduce((n, c) => n * 62 + BASE62.indexOf(c), 0);

describe('generateKey', () => {
  it('writes prefix + 32 base62 characters + a 6-character checksum that is the CRC32 of the rest', () => {
    for (const prefix of [PK, SK]) {
      const key = generateKey(prefix);
      expect(key).toMatch(new RegExp(`^${prefix}[0-9A-Za-z]{38}$`));
      expect(checksumValue(key)).toBe(crc32(key.slice(0, -6)) % 62 ** 6);
      expect(isWellFormedKey(prefix, key)).toBe(true);
    }
  });

  // The seed's first HMAC block has a 248 and a byte above it, both refused by the uniform mapping,
  // so this key also pins the rejection and the second block (counter 1).
  it('derives the same key from the same seed, today and after any upgrade (idempotent replays recompute it)', () => {
    const seed = { secret: 'server-secret', input: 'idem-17' };
    const first = [...createHmac('sha256', seed.secret).update('idem-17\u00000').digest()];
    expect(first).toContain(248);
    expect(first.some((b) => b > 248)).toBe(true);
    expect(generateKey(PK, seed)).toBe('pk_live_LE4xYI918xCqUjVsYBdMH3BpVZS8vH243r1esb');
    expect(generateKey(PK, { ...seed, input: 'idem-18' })).not.toBe(generateKey(PK, seed));
    expect(generateKey(PK, { ...seed, secret: 'other' })).not.toBe(generateKey(PK, seed));
  });

  it('never repeats a key without a seed', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateKey(PK)));
    expect(keys.size).toBe(200);
  });

  // About 190 bits only if every one of the 62 characters is equally likely at every place. 2,000 keys
  // give 64,000 characters, ~1,032 of each: a character below 850 or above 1,220 is a 5-sigma event.
  it('uses all 62 characters evenly', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) {
      for (const c of generateKey(PK).slice(PK.length, -6)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join('')).toBe([...BASE62].sort().join(''));
    for (const [c, n] of counts) {
      expect(n, `character ${c}`).toBeGreaterThan(850);
      expect(n, `character ${c}`).toBeLessThan(1_220);
    }
  });
});

describe('isWellFormedKey', () => {
  const key = generateKey(PK);
  /** `body` (prefix + 32 characters) with its correct checksum, whatever characters it holds. */
  const withChecksum = (body: string) => {
    let n = crc32(body);
    let sum = '';
    for (let i = 0; i < 6; i++, n = Math.floor(n / 62)) sum = BASE62[n % 62] + sum;
    return body + sum;
  };

  it('refuses a key whose checksum does not match', () => {
    expect(isWellFormedKey(PK, PK + 'A'.repeat(38))).toBe(false);
    const last = key.at(-1)!;
    expect(isWellFormedKey(PK, key.slice(0, -1) + (last === 'a' ? 'b' : 'a'))).toBe(false);
    // One character of the random part changed: the checksum covers it.
    expect(isWellFormedKey(PK, key.slice(0, 8) + (key[8] === 'a' ? 'b' : 'a') + key.slice(9))).toBe(false);
  });

  it('refuses the right checksum under another prefix', () => {
    expect(isWellFormedKey(SK, key)).toBe(false);
    expect(isWellFormedKey(SK, SK + key.slice(PK.length))).toBe(false);
    expect(isWellFormedKey(PK, key)).toBe(true);
  });

  it('refuses characters outside base62 even with a matching checksum', () => {
    for (const c of ['-', '_', '+', '/', '=', ' ', 'é']) {
      const forged = withChecksum(PK + c + key.slice(PK.length + 1, -6));
      expect(isWellFormedKey(PK, forged), JSON.stringify(c)).toBe(false);
    }
    expect(isWellFormedKey(PK, withChecksum(key.slice(0, -6)))).toBe(true);
  });

  // The shape of a prefix's keys is built on its first check and kept: that first check must be as strict.
  it('refuses a forged key when it is the first key checked for its prefix', async () => {
    vi.resetModules();
    const fresh = (await import('../../../src/hub/keys/format.js')).isWellFormedKey;
    const forged = withChecksum(PK + '-' + key.slice(PK.length + 1, -6));
    expect(fresh(PK, forged)).toBe(false);
    expect(fresh(PK, key)).toBe(true);
    expect(fresh(PK, forged)).toBe(false);
  });

  it('refuses a key one character short or long', () => {
    expect(isWellFormedKey(PK, key.slice(0, -1))).toBe(false);
    expect(isWellFormedKey(PK, key + 'a')).toBe(false);
    expect(isWellFormedKey(PK, withChecksum(key.slice(0, -7)))).toBe(false);
    expect(isWellFormedKey(PK, withChecksum(key.slice(0, -6) + 'a'))).toBe(false);
  });

  it('refuses text around a valid key', () => {
    expect(isWellFormedKey(PK, ' ' + key)).toBe(false);
    expect(isWellFormedKey(PK, key + '\n')).toBe(false);
    expect(isWellFormedKey(PK, 'x' + key)).toBe(false);
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, [key], { key }]) expect(isWellFormedKey(PK, value)).toBe(false);
  });
});

describe('hashKey and last8', () => {
  it('hashes the whole key with SHA-256 (hex) and keeps its last 8 characters', () => {
    const key = generateKey(PK);
    expect(hashKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(last8(key)).toBe(key.slice(key.length - 8));
    expect(last8(key)).toHaveLength(8);
  });
});

describe('a widget key\'s mode', () => {
  it('is read from its prefix only when the whole key is well formed', () => {
    const live = generateKey(PUBLIC_KEY_PREFIXES.live);
    const test = generateKey(PUBLIC_KEY_PREFIXES.test);
    expect(publicKeyMode(live)).toBe('live');
    expect(publicKeyMode(test)).toBe('test');
    // A test key's random part and checksum under the live prefix: the checksum covers the prefix.
    expect(publicKeyMode(PUBLIC_KEY_PREFIXES.live + test.slice(PUBLIC_KEY_PREFIXES.test.length))).toBeNull();
    for (const other of [generateKey(SECRET_KEY_PREFIX), live.slice(0, -1), 42, undefined]) {
      expect(publicKeyMode(other)).toBeNull();
      expect(isWellFormedPublicKey(other)).toBe(false);
    }
    expect(isWellFormedPublicKey(live) && isWellFormedPublicKey(test)).toBe(true);
  });
});

describe('publicKeyHash', () => {
  it('is the hash of a well-formed widget key, the same on every call, and null for anything else', () => {
    const live = generateKey(PUBLIC_KEY_PREFIXES.live);
    const test = generateKey(PUBLIC_KEY_PREFIXES.test);
    for (const key of [live, test]) {
      expect(publicKeyHash(key)).toBe(hashKey(key));
      expect(publicKeyHash(key)).toBe(hashKey(key));
    }
    for (const other of [generateKey(SECRET_KEY_PREFIX), live.slice(0, -1), live.slice(0, -1) + (live.endsWith('0') ? '1' : '0'), '']) {
      expect(publicKeyHash(other)).toBeNull();
      expect(publicKeyHash(other)).toBeNull();
    }
  });
});
