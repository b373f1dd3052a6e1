/**
 * A widget key's identity settings (docs/identity.md): turning identity on mints a secret, returned by
 * that one answer; turning it off drops every secret; a rotation mints a new one and keeps the old one
 * verifying for a grace period. Secrets are stored sealed (session/secret-box.ts).
 */
import type { IdentityMode } from '../../protocol/identity.js';
import type { WidgetKeyTable } from '../db/schema.js';
import { newIdentitySecret, type SecretBox } from '../session/secret-box.js';

type IdentityColumns = Pick<WidgetKeyTable, 'identity' | 'identity_secret' | 'identity_previous_secret' | 'identity_previous_until'>;

/** The columns for a change of mode, and the new secret when this change turned identity on. */
export function identityChange(box: SecretBox, before: IdentityMode, after: IdentityMode): { columns: IdentityColumns; secret?: string } | null {
  if (before === after) return null;
  if (after === 'off') return { columns: { identity: 'off', identity_secret: null, identity_previous_secret: null, identity_previous_until: null } };
  if (before !== 'off') return { columns: { identity: after } as IdentityColumns };
  const secret = newIdentitySecret();
  return { columns: { identity: after, identity_secret: box.seal(secret), identity_previous_secret: null, identity_previous_until: null }, secret };
}

/** A rotation: the new secret, and the current one kept until `now + graceSeconds` (none with 0). */
export function rotatedIdentity(box: SecretBox, row: WidgetKeyTable, graceSeconds: number): { columns: Partial<IdentityColumns>; secret: string } {
  const secret = newIdentitySecret();
  const keepOld = graceSeconds > 0 && row.identity_secret !== null;
  return {
    secret,
    columns: {
      identity_secret: box.seal(secret),
      identity_previous_secret: keepOld ? row.identity_secret : null,
      identity_previous_until: keepOld ? new Date(Date.now() + graceSeconds * 1000).toISOString() : null,
    },
  };
}

/** The secrets that verify tokens now, current first; a secret this hub cannot open is left out. */
export function verifyingSecrets(box: SecretBox, row: WidgetKeyTable, now = Date.now()): { secrets: string[]; unreadable: boolean } {
  const sealed = [row.identity_secret];
  if (row.identity_previous_until && Date.parse(row.identity_previous_until) > now) sealed.push(row.identity_previous_secret);
  const secrets: string[] = [];
  let unreadable = false;
  for (const s of sealed) {
    if (!s) continue;
    const open = box.open(s);
    if (open) secrets.push(open);
    else unreadable = true;
  }
  return { secrets, unreadable };
}

/** Until when the previous secret verifies, or null once it no longer does. */
export const previousSecretUntil = (row: Pick<WidgetKeyTable, 'identity_previous_until'>, now = Date.now()) =>
  row.identity_previous_until && Date.parse(row.identity_previous_until) > now ? row.identity_previous_until : null;
