/**
 * Identity secrets at rest. The hub must verify HS256 tokens with them, so it cannot keep a hash as it
 * does for secret keys; it keeps them sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the
 * server secret. A copy of the database alone then lets nobody sign visitor tokens. A hub whose server
 * secret changed cannot open them: `open` answers null and the key's owner rotates the identity secret.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { IDENTITY_SECRET_PREFIX } from '../../protocol/identity.js';

const VERSION = 'v1';

export interface SecretBox {
  seal(plaintext: string): string;
  /** null when `sealed` was not sealed under this server secret (or was altered). */
  open(sealed: string): string | null;
}

export function secretBox(serverSecret: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, 'kataven', 'identity-secret-v1', 32));
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // Stryker disable next-line StringLiteral: node:crypto reads a string with the encoding "" as UTF-8 too
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== VERSION || !iv || !body || !tag) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}

/** A new identity secret: the string itself is the HS256 key, as JWT libraries take a string secret. */
export const newIdentitySecret = () => IDENTITY_SECRET_PREFIX + randomBytes(32).toString('base64url');
