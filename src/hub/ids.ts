/**
 * Row ids in the format of src/protocol/ids.ts: prefix + milliseconds + random characters, lowercase
 * base36, so the text order is the creation order under any collation; list pagination relies on that.
 */
import { randomBytes } from 'node:crypto';
import { ID_ALPHABET, ID_RANDOM_LENGTH, ID_TIME_LENGTH, type IdPrefix } from '../protocol/ids.js';

let lastMs = 0;

export function newId(prefix: IdPrefix): string {
  // Strictly increasing within a process, so rows created in the same millisecond (a message and its
  // reply) keep their order.
  const now = (lastMs = Math.max(Date.now(), lastMs + 1));
  const bytes = randomBytes(ID_RANDOM_LENGTH);
  let random = '';
  for (const b of bytes) random += (b % 36).toString(36);
  return `${prefix}_${now.toString(36).padStart(ID_TIME_LENGTH, '0')}${random}`;
}

/** Exactly the ids newId(prefix) makes: for routes that take an id from a URL and should not look garbage up. */
export const idShape = (prefix: IdPrefix) => new RegExp(`^${prefix}_${ID_ALPHABET}{${ID_TIME_LENGTH + ID_RANDOM_LENGTH}}$`);

export const nowIso = () => new Date().toISOString();
