/**
 * The browser console at /console and the Admin API: how a signed-in console proves who it is. The
 * console exchanges the account's secret key for a session cookie (`POST CONSOLE_SESSION_PATH`) and then
 * calls the same Admin API as every client, with the cookie and, on every write, the session's CSRF
 * token in CONSOLE_CSRF_HEADER (src/hub/auth.ts). docs/console.md is the prose. Constants only: the
 * console's bundle imports them, and the schemas (api.ts) would bring TypeBox along.
 */

export const CONSOLE_PATH = '/console';
export const CONSOLE_SESSION_PATH = '/console/session';

/**
 * The cookie's name. Over https it is `__Host-` prefixed: browsers then take it only with `Secure`,
 * `Path=/` and no `Domain`, so no sibling subdomain can plant or shadow it (RFC 6265bis §4.1.3.2).
 */
export const CONSOLE_COOKIE = 'kataven_console';
export const CONSOLE_COOKIE_SECURE = '__Host-kataven_console';

/** A custom header: a cross-site form or a no-cors fetch cannot send one (Fetch, "CORS-safelisted request-header"). */
export const CONSOLE_CSRF_HEADER = 'x-kataven-csrf';

/** How long a console session lasts from sign-in: a working day. */
export const CONSOLE_SESSION_TTL_S = 8 * 3600;

/** The `type` of the console's messages to its widget preview (/console/preview), both same-origin. */
export const PREVIEW_MESSAGE = 'kataven-console-preview';
