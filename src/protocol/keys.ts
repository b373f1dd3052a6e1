/**
 * Key format: prefix + 32 random base62 characters + 6 base62 characters of CRC32 checksum.
 * Only constants here; generation and checking live in the hub (src/hub/keys/).
 */
export const PUBLIC_KEY_PREFIX = 'pk_live_';
/** Test keys (issue 14): the same format over their own prefix; they work only on loopback origins. */
export const TEST_PUBLIC_KEY_PREFIX = 'pk_test_';
/** A widget key's mode, and the prefix of its plaintext. */
export const PUBLIC_KEY_PREFIXES = { live: PUBLIC_KEY_PREFIX, test: TEST_PUBLIC_KEY_PREFIX } as const;
export type KeyMode = keyof typeof PUBLIC_KEY_PREFIXES;
export const SECRET_KEY_PREFIX = 'sk_live_';
export const KEY_RANDOM_LENGTH = 32;
export const KEY_CHECKSUM_LENGTH = 6;
