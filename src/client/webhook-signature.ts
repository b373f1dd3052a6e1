/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/, "Signature scheme"), written once for
 * the hub, which signs, and the Node client, which verifies. It lives with the client, the published
 * verifier, rather than in src/protocol/ (types and constants only); the hub imports it from here. Node
 * only (node:crypto): the loader and the frame never import this file.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from '../protocol/agent-webhook.js';

/** Either base64 alphabet, padding optional, and a length a base64 text can have (never 4n+1). */
const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A new secret: `whsec_` + standard base64 of 24 random bytes (192-bit key), as the specification writes it. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(24).toString('base64');
}

/**
 * The HMAC key a secret stands for: base64-decode what follows `whsec_`, as every Standard Webhooks library
 * does (the prefix is optional there too).
 *
 * Secrets minted before the hub followed the specification are `whsec_` + base64**url** of 24 random bytes.
 * Decoding either alphabet gives those same 24 bytes, so every stored secret is already a real key; it is
 * only spelt with `-`/`_` where the standard alphabet has `+`/`/` (rewriting those two characters changes
 * no byte of the key, which is why a store may convert them at any time). A secret that is no base64 at
 * all is used as raw UTF-8 bytes, as the libraries' `raw` format does, so any string signs the same here
 * and in `Kataven.webhooks.verify`.
 */
export function webhookKey(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  // Stryker disable next-line Regex: BASE64_TEXT lets "=" stand only at the end, so the first run of "=" is the trailing one
  if (BASE64_TEXT.test(encoded) && encoded.replace(/=+$/, '').length % 4 !== 1) return Buffer.from(encoded, 'base64');
  // Stryker disable next-line StringLiteral: Buffer.from with no encoding ('') reads UTF-8 as well
  return Buffer.from(secret, 'utf8');
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` over the body's exact bytes. */
export function webhookSignature(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}
