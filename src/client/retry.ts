/** When to retry a failed request and how long to wait first (openai-node's policy, on one screen). */
import { APIConnectionError, type APIError } from './errors.js';

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A longer Retry-After than this is not worth blocking on: fall back to our own backoff. */
const MAX_RETRY_AFTER_MS = 60_000;

export function shouldRetry(error: APIError): boolean {
  if (error instanceof APIConnectionError) return true; // includes timeouts
  const status = error.status ?? 0;
  // Only a 409 `conflict` (an update that raced another) may clear up. The others say the same request can
  // never succeed, so a retry would only delay the error: `idempotency_conflict` (this Idempotency-Key
  // belongs to another body, or to a key since deleted), `identity_off`, `takeover_conflict` (someone
  // else answers the conversation than the request's `if_taken_over_by` said).
  if (status === 409) return error.type === 'conflict';
  return status === 408 || status === 429 || status >= 500;
}

/** Milliseconds to wait before retry number `retry` (0-based): the server's Retry-After if sensible, else backoff. */
export function retryDelayMs(retry: number, headers?: Headers): number {
  const retryAfter = parseRetryAfter(headers?.get('retry-after') ?? null);
  if (retryAfter !== null && retryAfter <= MAX_RETRY_AFTER_MS) return retryAfter;
  // Exponential backoff, minus up to 25% jitter so many clients failing together do not retry together.
  return Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_DELAY_MS) * (1 - Math.random() * 0.25);
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
