/**
 * `Kataven.webhooks.verify`: check that a request to your agent's webhook came from your hub, per
 * Standard Webhooks (https://www.standardwebhooks.com/): the signature over the raw body, and a
 * timestamp inside the replay window.
 *
 * @example
 * http.createServer(async (req, res) => {
 *   const chunks = [];
 *   for await (const chunk of req) chunks.push(chunk);
 *   const raw = Buffer.concat(chunks);
 *   const event = Kataven.webhooks.verify(raw, req.headers, process.env.KATAVEN_WEBHOOK_SECRET!);
 *   res.setHeader('content-type', 'application/json').end(JSON.stringify({ reply: `You said ${event.message.text}` }));
 * });
 */
import { timingSafeEqual } from 'node:crypto';
import { WEBHOOK_HEADERS, WEBHOOK_TOLERANCE_SECONDS, type MessageCreatedEvent } from '../protocol/agent-webhook.js';
import { webhookSignature } from './webhook-signature.js';

/** Which check failed. */
export type WebhookVerificationReason = 'missing_header' | 'invalid_timestamp' | 'timestamp_out_of_tolerance' | 'no_matching_signature';

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
  }
}

/** Node's `req.headers`, a fetch `Headers`, or a plain object (any letter case). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** Seconds the timestamp may differ from `now`. Default `WEBHOOK_TOLERANCE_SECONDS` (300). */
  toleranceSeconds?: number;
  /** The receiver's clock, for tests. Default `Date.now()`. */
  now?: Date;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value.join(' ') : value;
}

/**
 * Verifies a webhook request and returns its parsed event; throws `WebhookVerificationError` saying which
 * check failed. Pass the body exactly as received (string or bytes): re-serialised JSON does not match.
 */
function verify(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string, options: VerifyOptions = {}): MessageCreatedEvent {
  const id = header(headers, WEBHOOK_HEADERS.id);
  const timestamp = header(headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(headers, WEBHOOK_HEADERS.signature);
  const missing = Object.values(WEBHOOK_HEADERS).filter((_, i) => ![id, timestamp, signatures][i]);
  if (missing.length) {
    throw new WebhookVerificationError('missing_header', `Missing ${missing.join(', ')}: this request was not sent by a Kataven hub, or a proxy dropped the headers`);
  }
  if (!/^\d{1,12}$/.test(timestamp!)) {
    throw new WebhookVerificationError('invalid_timestamp', `${WEBHOOK_HEADERS.timestamp} must be whole unix seconds, got ${JSON.stringify(timestamp!.slice(0, 40))}`);
  }
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  const skew = Math.floor((options.now ?? new Date()).getTime() / 1000) - Number(timestamp);
  if (Math.abs(skew) > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      // Stryker disable next-line EqualityOperator: a skew of 0 is never outside a tolerance, so `>=` words no refusal differently
      `${WEBHOOK_HEADERS.timestamp} is ${Math.abs(skew)} s ${skew > 0 ? 'in the past' : 'in the future'} (tolerance ${tolerance} s): a replayed request, or a clock to set right (NTP)`,
    );
  }
  const expected = Buffer.from(webhookSignature(secret, id!, Number(timestamp), rawBody));
  // The header may list several signatures (space-separated) while a secret is being rotated; any v1 match counts.
  const matches = signatures!.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) {
    throw new WebhookVerificationError(
      'no_matching_signature',
      `${WEBHOOK_HEADERS.signature} matches no signature of this body: check that the secret is this agent's webhook_secret and that you pass the raw request body, not parsed and re-serialised JSON`,
    );
  }
  // Stryker disable next-line ConditionalExpression,StringLiteral: Buffer.from(a string) is its UTF-8, which toString('utf8') gives back
  const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  return JSON.parse(text) as MessageCreatedEvent;
}

export const webhooks = { verify };
