/** Kataven.webhooks.verify: the Standard Webhooks checks, each failure named. */
import { describe, expect, it } from 'vitest';
import { WebhookVerificationError, webhooks } from '../../src/client/webhooks.js';
import { newWebhookSecret } from '../../src/client/webhook-signature.js';
import { agentServer, run } from '../hub/agent-call/support.js';

const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  body: '{"test": 2432232314}',
  headers: {
    'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    'webhook-timestamp': '1614265330',
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  },
};
const at = (seconds: number) => ({ now: new Date(seconds * 1000) });

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return `${(err as WebhookVerificationError).reason}: ${(err as Error).message}`;
  }
  throw new Error('verify accepted the request');
}

describe('webhooks.verify', () => {
  it('accepts the Standard Webhooks test vector and returns the parsed body', () => {
    expect(webhooks.verify(VECTOR.body, VECTOR.headers, VECTOR.secret, at(1614265330))).toEqual({ test: 2432232314 });
  });

  it('takes the body as bytes and headers as fetch Headers or in any letter case', () => {
    const upper = Object.fromEntries(Object.entries(VECTOR.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(webhooks.verify(Buffer.from(VECTOR.body), new Headers(VECTOR.headers), VECTOR.secret, at(1614265330))).toEqual({ test: 2432232314 });
    expect(webhooks.verify(new TextEncoder().encode(VECTOR.body), upper, VECTOR.secret, at(1614265330))).toEqual({ test: 2432232314 });
  });

  it('accepts any one matching signature of several (secret rotation)', () => {
    const headers = { ...VECTOR.headers, 'webhook-signature': `v1,bm9wZQ== ${VECTOR.headers['webhook-signature']}` };
    expect(webhooks.verify(VECTOR.body, headers, VECTOR.secret, at(1614265330))).toEqual({ test: 2432232314 });
  });

  it('accepts a timestamp just inside the tolerance', () => {
    expect(() => webhooks.verify(VECTOR.body, VECTOR.headers, VECTOR.secret, at(1614265330 + 300))).not.toThrow();
  });

  it('refuses a request missing a header, naming it', () => {
    const { 'webhook-timestamp': _, ...headers } = VECTOR.headers;
    expect(reasonOf(() => webhooks.verify(VECTOR.body, headers, VECTOR.secret, at(1614265330)))).toMatch(/^missing_header: Missing webhook-timestamp:/);
  });

  it('refuses a timestamp that is not unix seconds', () => {
    const headers = { ...VECTOR.headers, 'webhook-timestamp': '2021-02-25T15:02:10Z' };
    expect(reasonOf(() => webhooks.verify(VECTOR.body, headers, VECTOR.secret, at(1614265330)))).toMatch(/^invalid_timestamp: /);
  });

  it('refuses a replay older than the tolerance, and a timestamp from the future', () => {
    expect(reasonOf(() => webhooks.verify(VECTOR.body, VECTOR.headers, VECTOR.secret, at(1614265330 + 301)))).toMatch(
      /^timestamp_out_of_tolerance: webhook-timestamp is 301 s in the past \(tolerance 300 s\)/,
    );
    expect(reasonOf(() => webhooks.verify(VECTOR.body, VECTOR.headers, VECTOR.secret, { ...at(1614265330 - 400), toleranceSeconds: 60 }))).toMatch(
      /^timestamp_out_of_tolerance: webhook-timestamp is 400 s in the future \(tolerance 60 s\)/,
    );
  });

  it('refuses another secret, a changed body and a changed id', () => {
    const other = newWebhookSecret();
    expect(reasonOf(() => webhooks.verify(VECTOR.body, VECTOR.headers, other, at(1614265330)))).toMatch(/^no_matching_signature: .*webhook_secret.*raw request body/);
    expect(reasonOf(() => webhooks.verify('{"test": 2432232315}', VECTOR.headers, VECTOR.secret, at(1614265330)))).toMatch(/^no_matching_signature/);
    const headers = { ...VECTOR.headers, 'webhook-id': 'msg_other' };
    expect(reasonOf(() => webhooks.verify(VECTOR.body, headers, VECTOR.secret, at(1614265330)))).toMatch(/^no_matching_signature/);
  });

  it('verifies what the hub sends, with a new secret and a legacy one', async () => {
    const legacy = 'whsec_' + Buffer.from([0xfb, 0xef, 0xff, ...Array(21).fill(7)]).toString('base64url');
    for (const secret of [newWebhookSecret(), legacy]) {
      const server = await agentServer((res) => res.writeHead(202).end());
      await run({ kind: 'webhook', name: 'Ada', url: server.url, secret });
      await server.close();
      const { body, headers } = server.requests[0]!;
      expect(webhooks.verify(body, headers, secret)).toMatchObject({ type: 'message.created', conversation_id: 'conv_test' });
    }
  });
});
