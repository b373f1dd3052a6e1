/**
 * Identity secrets at rest (src/hub/session/secret-box.ts): AES-256-GCM under a key derived with
 * HKDF-SHA256 from the server secret, so the database alone signs nothing, and a hub with another
 * server secret, or an altered value, opens nothing.
 */
import { describe, expect, it } from 'vitest';
import { newIdentitySecret, secretBox } from '../../../src/hub/session/secret-box.js';

const SERVER = 'server-secret-of-the-test-hub-0123456789';
const box = secretBox(SERVER);
/** 'idsec_sealedbyanearlierhub' sealed under SERVER with the IV 00…0b, by node:crypto alone. */
const EARLIER = 'v1.AAECAwQFBgcICQoL.4XEc3yC60QqI0Jwr3vxsScFNuk95PKjc5vw.2XW2jFZLbXZgYDwTRb1h9g';

describe('secret box', () => {
  it('seals to v1.iv.body.tag in base64url, a fresh IV each time, and opens what it sealed', () => {
    const secret = newIdentitySecret();
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{66}\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.seal(secret)).not.toBe(sealed);
    expect(box.open(sealed)).toBe(secret);
    expect(secretBox(SERVER).open(sealed)).toBe(secret);
  });

  it('keeps text beyond ASCII intact', () => {
    expect(box.open(box.seal('idsec_é✓'))).toBe('idsec_é✓');
  });

  it('opens a secret sealed by an earlier hub: the key is HKDF-SHA256(server secret, "kataven", "identity-secret-v1")', () => {
    expect(box.open(EARLIER)).toBe('idsec_sealedbyanearlierhub');
  });

  it('opens nothing under another server secret', () => {
    expect(secretBox(SERVER + 'x').open(EARLIER)).toBeNull();
  });

  it('opens nothing altered: another version, IV, body or tag, or a part missing', () => {
    const [, iv, body, tag] = EARLIER.split('.') as [string, string, string, string];
    const flip = (part: string) => (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
    for (const altered of [
      `v2.${iv}.${body}.${tag}`,
      `v1.${flip(iv)}.${body}.${tag}`,
      `v1.${iv}.${flip(body)}.${tag}`,
      `v1.${iv}.${body}.${flip(tag)}`,
      `v1.${iv}.${body}`,
      `v1.${iv}..${tag}`,
      `v1..${body}.${tag}`,
      `v1.${iv}.${body}.`,
      '',
    ]) {
      expect(box.open(altered), altered).toBeNull();
    }
  });

  it('never opens to an empty secret, which would be an HS256 key anyone can sign with', () => {
    expect(box.open(box.seal(''))).toBeNull();
  });

  it('mints identity secrets of idsec_ and 32 random bytes in base64url', () => {
    const secret = newIdentitySecret();
    expect(secret).toMatch(/^idsec_[A-Za-z0-9_-]{43}$/);
    expect(newIdentitySecret()).not.toBe(secret);
  });
});
