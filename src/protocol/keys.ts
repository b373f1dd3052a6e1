/**
 * Key format: prefix + 32 random base62 characters + 6 base62 characters of CRC32 checksum.
 * Only constants here; generation and checking live in the hub (src/hub/keys/).
 */
export const PUBLIC_KEY_PREFIX = 'pk_live_';
export const SECRET_KEY_PREFIX = 'sk_live_';
export const KEY_RANDOM_LENGTH = 32;
export const KEY_CHECKSUM_LENGTH = 6;
