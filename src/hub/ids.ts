/**
 * Row ids: prefix + 9 base36 characters of milliseconds + 12 random base36 characters. Lowercase only,
 * so the text order is the creation order under any collation; list pagination relies on that.
 */
import { randomBytes } from 'node:crypto';

export function newId(prefix: string, now = Date.now()): string {
  const bytes = randomBytes(12);
  let random = '';
  for (const b of bytes) random += (b % 36).toString(36);
  return `${prefix}_${now.toString(36).padStart(9, '0')}${random}`;
}

export const nowIso = () => new Date().toISOString();
