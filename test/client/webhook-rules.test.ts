/**
 * Webhook signing and verification at their edges (issue 17, the mutation run): header lists, the exact
 * refusals, the secret's base64 rules, and the event id the hub signs.
 */
import { describe, expect, it } from 'vitest';
import { WebhookVerificationError, webhooks } from '../../src/client/webhooks.js';
import { webhookKey, webhookSignature } from '../../src/client/webhook-signature.js';
import { agentServer, run, webhook } from '../hub/agent-call/support.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BODY = '{"type":"message.created"}';
const NOW = 1_700_000_000;
const signed = (over: Record<string, string | string[] | undefined> = {}) => ({
  'webhook-id': 'evt_1',
  'webhook-timestamp': String(NOW),
  'webhook-signature': webhookSignature(SECRET, 'evt_1', NOW, BODY),
  ...over,
});
const at = { now: new Date(NOW * 1000) };

function failure(headers: Record<string, unknown>): WebhookVerificationError {
  try {
    webhooks.verify(BODY, headers as never, SECRET, at);
  } catch (err) {
    return err as WebhookVerificationError;
  }
  throw new Error('verify accepted the request');
}

describe('webhooks.verify at its edges', () => {
  it('throws a WebhookVerificationError by that name', () => {
    const err = failure({});
    expect(err).toBeInstanceOf(WebhookVerificationError);
    expect(err.name).toBe('WebhookVerificationError');
  });

  it('names every missing header, comma-separated', () => {
    expect(failure({ 'webhook-signature': 'v1,x' }).message).toBe(
      'Missing webhook-id, webhook-timestamp: this request was not sent by a Kataven hub, or a proxy dropped the headers',
    );
  });

  it('reads only the named headers, whatever else an object holds', () => {
    expect(failure({ undefined: 'evt_1', 'webhook-timestamp': String(NOW), 'webhook-signature': 'v1,x' }).reason).toBe('missing_header');
  });

  it('reads a header given as several values (Node joins none of them) as one list', () => {
    const good = signed()['webhook-signature'];
    expect(webhooks.verify(BODY, signed({ 'webhook-signature': ['v1,bm90IGl0', good] }), SECRET, at)).toEqual({ type: 'message.created' });
  });

  it('refuses a timestamp with anything around the digits, quoting at most 40 characters of it', () => {
    expect(failure(signed({ 'webhook-timestamp': 'x' + NOW })).reason).toBe('invalid_timestamp');
    expect(failure(signed({ 'webhook-timestamp': NOW + 'x' })).reason).toBe('invalid_timestamp');
    const long = '9'.repeat(30) + 'abcdefghijklmnopqrstuvwxyz';
    expect(failure(signed({ 'webhook-timestamp': long })).message).toBe(`webhook-timestamp must be whole unix seconds, got "${long.slice(0, 40)}"`);
  });
});

describe('webhook secrets', () => {
  it('decodes padded base64 by its length without the padding', () => {
    // Four characters and "==": a base64 text (3 bytes). Five and "=": no base64 length, so raw bytes.
    expect(webhookKey('whsec_AAAA==')).toEqual(Buffer.from([0, 0, 0]));
    expect(webhookKey('whsec_AAAAA==')).toEqual(Buffer.from('whsec_AAAAA=='));
    expect(webhookKey('whsec_AAAAA=')).toEqual(Buffer.from('whsec_AAAAA='));
  });

  it('takes a secret with a character outside base64 anywhere as raw bytes, whatever its length', () => {
    for (const secret of ['whsec_!AAAAAAAA', 'whsec_AAAA!AAAA', 'whsec_!AAAAAAA', 'whsec_AAA!AAAA', 'whsec_AAAAAAA!']) {
      expect(webhookKey(secret), secret).toEqual(Buffer.from(secret));
    }
  });
});

describe('the signed request', () => {
  it('carries an evt_ id', async () => {
    const s = await agentServer((res) => res.writeHead(202).end());
    try {
      await run(webhook(s));
      expect(s.requests[0]!.headers['webhook-id']).toMatch(/^evt_[0-9A-Za-z]+$/);
    } finally {
      await s.close();
    }
  });
});
