/**
 * Row ids: prefix + 9 base36 characters of milliseconds + 12 random base36 characters. Lowercase only,
 * so the text order is the creation order under any collation; list pagination relies on that.
 */
import { randomBytes } from 'node:crypto';

let lastMs = 0;

export function newId(prefix: string): string {
  // Strictly increasing within a process, so rows created in the same millisecond (a message and its
  // reply) keep their order.
  const now = (lastMs = Math.max(Date.now(), lastMs + 1));
  const bytes = randomBytes(12);
  let random = '';
  for (const b of bytes) random += (b % 36).toString(36);
  return `${prefix}_${now.toString(36).padStart(9, '0')}${random}`;
}

export const nowIso = () => new Date().toISOString();
