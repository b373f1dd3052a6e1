/** When to retry a failed request and how long to wait first (openai-node's policy, on one screen). */
import { APIConnectionError, type APIError } from './errors.js';

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A longer Retry-After than this is not worth blocking on: fall back to our own backoff. */
const MAX_RETRY_AFTER_MS = 60_000;

export function shouldRetry(error: APIError): boolean {
  if (error instanceof APIConnectionError) return true; // includes timeouts
  const status = error.status ?? 0;
  // A 409 idempotency_conflict means this Idempotency-Key already belongs to another request body (or to a
  // key since deleted): the same request can never succeed, so a retry would only delay the error. Other
  // 409s (e.g. a lock or a race) may clear up.
  if (status === 409) return error.type !== 'idempotency_conflict';
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
