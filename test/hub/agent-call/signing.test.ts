/** The hub's webhook signatures, checked against the specification's vector and an independent verifier. */
import { randomBytes, webcrypto } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { newWebhookSecret, webhookKey, webhookSignature } from '../../../src/protocol/webhook-signature.js';
import { agentServer, messageEvent, run, webhook, type AgentServer } from './support.js';

/** Standard Webhooks' published test vector (the reference libraries' tests use it). */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

/** The specification re-derived with WebCrypto and atob: no code shared with the hub's signer. */
async function specSignature(secret: string, id: string, timestamp: string, body: string): Promise<string> {
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (c) => c.charCodeAt(0));
  const key = await webcrypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await webcrypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('secrets', () => {
  it('reproduces the Standard Webhooks test vector', () => {
    expect(webhookSignature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(webhookSignature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, Buffer.from(VECTOR.body))).toBe(VECTOR.signature);
  });

  it('mints whsec_ + standard base64 of 24 random bytes', () => {
    const secrets = Array.from({ length: 50 }, newWebhookSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(webhookKey(secret)).toHaveLength(24);
    }
    expect(new Set(secrets).size).toBe(50);
  });

  it('keys a legacy base64url secret with the same bytes as its standard spelling', async () => {
    // 0xfb 0xff … encodes to characters 62 and 63, `-` and `_` in base64url, `+` and `/` in base64.
    const bytes = Buffer.concat([Buffer.from([0xfb, 0xef, 0xff]), randomBytes(21)]);
    const legacy = 'whsec_' + bytes.toString('base64url');
    const standard = 'whsec_' + bytes.toString('base64');
    expect(legacy).toMatch(/[-_]/);
    expect(webhookKey(legacy)).toEqual(bytes);
    const signature = webhookSignature(legacy, 'evt_1', 1700000000, '{}');
    expect(signature).toBe(await specSignature(standard, 'evt_1', '1700000000', '{}'));
  });

  it('signs with the raw bytes of a secret that is not base64', () => {
    expect(webhookKey('not base64!')).toEqual(Buffer.from('not base64!'));
    expect(webhookKey('whsec_abcde')).toEqual(Buffer.from('whsec_abcde')); // 5 characters: no base64 length
  });
});

describe('the request', () => {
  it('verifies with an independent implementation of the specification', async () => {
    const s = (server = await agentServer((res) => res.writeHead(202).end()));
    const secret = newWebhookSecret();
    const before = Math.floor(Date.now() / 1000);
    await run(webhook(s, secret), {}, messageEvent('Does this ship to Norway? ✈'));
    const { headers, body } = s.requests[0]!;
    const timestamp = headers['webhook-timestamp'] as string;
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(headers['webhook-signature']).toBe(await specSignature(secret, headers['webhook-id'] as string, timestamp, body));
    expect(JSON.parse(body)).toEqual(messageEvent('Does this ship to Norway? ✈'));
  });

  it('gives each request its own webhook-id', async () => {
    const s = (server = await agentServer((res) => res.writeHead(202).end()));
    await run(webhook(s));
    await run(webhook(s));
    expect(s.requests[0]!.headers['webhook-id']).not.toBe(s.requests[1]!.headers['webhook-id']);
  });
});
