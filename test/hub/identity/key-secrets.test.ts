/**
 * A widget key's identity secrets (src/hub/widget-keys/identity.ts): which change of mode mints, keeps
 * or drops them, what a rotation keeps, and which secrets verify tokens at a given moment: the previous
 * one only before the end of its grace period. Over HTTP: test/hub/identity.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WidgetKeyTable } from '../../../src/hub/db/schema.js';
import { secretBox } from '../../../src/hub/session/secret-box.js';
import { identityChange, previousSecretUntil, rotatedIdentity, verifyingSecrets } from '../../../src/hub/widget-keys/identity.js';

const box = secretBox('server-secret-of-the-test-hub-0123456789');
const NOW = Date.parse('2026-12-02T10:00:00.000Z');
const CURRENT = 'idsec_current';
const PREVIOUS = 'idsec_previous';

const row = (columns: Partial<WidgetKeyTable> = {}): WidgetKeyTable => ({
  id: 'wk_1', account_id: 'acc_1', name: 'Shop', key_hash: 'h', key_last8: '12345678', domain_allowlist: '["shop.example"]',
  agent_id: null, created_at: '2026-12-01T00:00:00.000Z', updated_at: '2026-12-01T00:00:00.000Z', last_used_at: null, disabled_at: null,
  identity: 'optional', identity_secret: box.seal(CURRENT), identity_previous_secret: null, identity_previous_until: null, mode: 'live',
  ...columns,
} as WidgetKeyTable);

const inGrace = (until: string) => row({ identity_previous_secret: box.seal(PREVIOUS), identity_previous_until: until });

describe('identity mode changes', () => {
  it('changes nothing when the mode stays', () => {
    expect(identityChange(box, 'optional', 'optional')).toBeNull();
    expect(identityChange(box, 'off', 'off')).toBeNull();
  });

  it('mints a sealed secret when identity turns on, with no previous one', () => {
    const change = identityChange(box, 'off', 'required')!;
    expect(change.secret).toMatch(/^idsec_[A-Za-z0-9_-]{43}$/);
    expect(change.columns).toEqual({ identity: 'required', identity_secret: expect.stringMatching(/^v1\./), identity_previous_secret: null, identity_previous_until: null });
    expect(box.open(change.columns.identity_secret!)).toBe(change.secret);
  });

  it('keeps the secrets, and answers none, from one mode that is on to the other', () => {
    expect(identityChange(box, 'optional', 'required')).toEqual({ columns: { identity: 'required' } });
  });

  it('drops every secret when identity turns off', () => {
    expect(identityChange(box, 'required', 'off')).toEqual({ columns: { identity: 'off', identity_secret: null, identity_previous_secret: null, identity_previous_until: null } });
  });
});

describe('rotation and grace period', () => {
  beforeEach(() => vi.useFakeTimers({ now: NOW, toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  it('mints a new secret and keeps the current one verifying until now + the grace period', () => {
    const before = row();
    const rotated = rotatedIdentity(box, before, 3600);
    expect(rotated.secret).toMatch(/^idsec_[A-Za-z0-9_-]{43}$/);
    expect(box.open(rotated.columns.identity_secret!)).toBe(rotated.secret);
    expect(rotated.columns).toMatchObject({ identity_previous_secret: before.identity_secret, identity_previous_until: '2026-12-02T11:00:00.000Z' });
  });

  it('keeps no previous secret with a grace period of 0, or when there was no current one', () => {
    for (const [before, grace] of [[row(), 0], [row({ identity_secret: null }), 3600]] as const) {
      expect(rotatedIdentity(box, before, grace).columns).toMatchObject({ identity_previous_secret: null, identity_previous_until: null });
    }
  });

  it('verifies with the current secret, then the previous one until its grace period ends, not at its end', () => {
    expect(verifyingSecrets(box, row(), NOW)).toEqual({ secrets: [CURRENT], unreadable: false });
    expect(verifyingSecrets(box, inGrace('2026-12-02T10:00:00.001Z'), NOW)).toEqual({ secrets: [CURRENT, PREVIOUS], unreadable: false });
    expect(verifyingSecrets(box, inGrace('2026-12-02T10:00:00.000Z'), NOW)).toEqual({ secrets: [CURRENT], unreadable: false });
    expect(verifyingSecrets(box, inGrace('2026-12-01T10:00:00.000Z'), NOW)).toEqual({ secrets: [CURRENT], unreadable: false });
  });

  it('reads the clock when no moment is given', () => {
    expect(verifyingSecrets(box, inGrace('2026-12-02T10:00:01.000Z')).secrets).toEqual([CURRENT, PREVIOUS]);
    expect(verifyingSecrets(box, inGrace('2026-12-02T09:59:59.000Z')).secrets).toEqual([CURRENT]);
  });

  it('leaves out, and reports, a secret this hub cannot open', () => {
    const other = secretBox('another-server-secret-0123456789abcdef');
    expect(verifyingSecrets(other, inGrace('2026-12-03T00:00:00.000Z'), NOW)).toEqual({ secrets: [], unreadable: true });
    expect(verifyingSecrets(box, row({ identity_previous_secret: other.seal(PREVIOUS), identity_previous_until: '2026-12-03T00:00:00.000Z' }), NOW)).toEqual({ secrets: [CURRENT], unreadable: true });
  });

  it('has no secret for a key with identity off', () => {
    expect(verifyingSecrets(box, row({ identity: 'off', identity_secret: null }), NOW)).toEqual({ secrets: [], unreadable: false });
  });

  it('shows the end of the grace period only while it lasts', () => {
    expect(previousSecretUntil({ identity_previous_until: '2026-12-02T10:00:00.001Z' }, NOW)).toBe('2026-12-02T10:00:00.001Z');
    expect(previousSecretUntil({ identity_previous_until: '2026-12-02T10:00:00.000Z' }, NOW)).toBeNull();
    expect(previousSecretUntil({ identity_previous_until: null }, NOW)).toBeNull();
    expect(previousSecretUntil({ identity_previous_until: '2026-12-02T10:00:01.000Z' })).toBe('2026-12-02T10:00:01.000Z');
    expect(previousSecretUntil({ identity_previous_until: '2026-12-02T09:59:59.000Z' })).toBeNull();
  });
});
