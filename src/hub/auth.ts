/**
 * Admin API authentication, scoped to one account, in one of two ways:
 * - `Authorization: Bearer sk_live_…`: checked for shape and checksum first (no database touch for
 *   garbage), then found by hash;
 * - the console's session cookie (docs/console.md), with a CSRF check on every request that is not a
 *   read. A request with an Authorization header is judged by it alone.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { CONSOLE_CSRF_HEADER } from '../protocol/console.js';
import { SECRET_KEY_PREFIX } from '../protocol/keys.js';
import { accountForSecretHash } from './accounts/repo.js';
import { bearerToken } from './bearer.js';
import { hubOrigin, readCookie } from './console/cookie.js';
import { csrfToken, findSession } from './console/sessions.js';
import type { Database } from './db/schema.js';
import { HubError } from './errors.js';
import { hashKey, isWellFormedKey } from './keys/format.js';

declare module 'fastify' {
  interface FastifyRequest {
    accountId: string;
  }
}

/** What to do about a missing or wrong key, said the way the caller gives one: a header for the API… */
const HINT = 'Send `Authorization: Bearer sk_live_…` with the secret key from `kataven accounts create`';
/** …and a field for a person at the console's sign-in form. */
export const CONSOLE_KEY_HINT = "Paste the account's secret key (sk_live_…), which `kataven accounts create` and `npm start` print";

export interface AuthSettings {
  /** Server secret: the console's CSRF tokens are derived from it. */
  secret: string;
  publicUrl: string | null;
}

export async function authenticate(db: Kysely<Database>, request: FastifyRequest, settings: AuthSettings): Promise<string> {
  const header = request.headers.authorization;
  if (!header) {
    const session = readCookie(settings.publicUrl, request);
    if (session) return authenticateConsole(db, request, settings, session);
    throw new HubError(401, 'authentication_required', `No API key given. ${HINT}`);
  }
  const key = bearerToken(header);
  if (!key) throw new HubError(401, 'authentication_required', `The Authorization header is not a Bearer token. ${HINT}`);
  return (await secretKeyAccount(db, key)).account_id;
}

/** The account and secret key row of a secret key, or the 401 that says what is wrong with it and, in `hint`, what to do. */
export async function secretKeyAccount(db: Kysely<Database>, key: string, hint = HINT): Promise<{ id: string; account_id: string }> {
  if (key.startsWith('pk_')) {
    throw new HubError(401, 'invalid_api_key', `That is a public widget key (${key.slice(0, 8)}…), the one a site's tag carries; this takes a secret key. ${hint}`);
  }
  if (!isWellFormedKey(SECRET_KEY_PREFIX, key)) {
    throw new HubError(401, 'invalid_api_key', `The API key is malformed (wrong prefix, length or checksum). ${hint}`);
  }
  const hash = hashKey(key);
  const row = await accountForSecretHash(db, hash);
  // The index lookup already used the hash; compare again in constant time so no timing depends on the key.
  if (!row || !timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash))) {
    throw new HubError(401, 'invalid_api_key', `No account has this API key ending in ${key.slice(-8)}. ${hint}`);
  }
  // ISO 8601 UTC strings compare as text (db/schema.ts).
  if (row.expires_at !== null && row.expires_at <= new Date().toISOString()) {
    throw new HubError(401, 'invalid_api_key', `The API key ending in ${key.slice(-8)} was rotated and stopped working at ${row.expires_at}; use the account's newer key`);
  }
  return row;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function authenticateConsole(db: Kysely<Database>, request: FastifyRequest, settings: AuthSettings, token: string): Promise<string> {
  if (!SAFE_METHODS.has(request.method)) checkCsrf(request, settings, token);
  const session = await findSession(db, token);
  if (!session) throw new HubError(401, 'session_expired', 'The console session has ended (signed out, expired, or its secret key was rotated); sign in again at /console');
  return session.account_id;
}

/**
 * A write made with the cookie must come from the console itself. SameSite=Strict already keeps the
 * cookie off requests other sites start; these checks hold even where it does not (an old browser, a
 * sibling subdomain being same-site): the token only the console page learned (GET /console/session
 * answers it same-origin only: the hub sends no CORS headers there), and the browser's own word on
 * where the request came from (Fetch Metadata, else Origin).
 */
export function checkCsrf(request: FastifyRequest, settings: AuthSettings, token: string): void {
  checkSameOrigin(request, settings.publicUrl);
  const given = request.headers[CONSOLE_CSRF_HEADER];
  const expected = Buffer.from(csrfToken(settings.secret, token));
  if (typeof given !== 'string' || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), expected)) {
    throw new HubError(403, 'csrf_refused', `A console write needs the session's CSRF token in the ${CONSOLE_CSRF_HEADER} header (GET /console/session answers it); reload the console`);
  }
}

/** Refuses a request the browser says another page started; one without either header is not a browser's. */
export function checkSameOrigin(request: FastifyRequest, publicUrl: string | null): void {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const own = hubOrigin(publicUrl, request);
  if (site !== undefined ? site !== 'same-origin' : origin !== undefined && origin !== own) {
    throw new HubError(403, 'csrf_refused', `A console request must come from the console's own page (this one came from ${site !== undefined ? `a ${site} page` : origin}); open ${own}/console`);
  }
}
