/**
 * The console at /console: its documents and files, and its session (sign in with the secret key, who am
 * I, sign out). Everything else the console does goes through the Admin API with the session cookie
 * (src/hub/auth.ts). The session routes are the console's own, not the Admin API's: no client calls
 * them, so they stay out of /api/v1/openapi.json (whose every operation has a client method) and are
 * documented in docs/console.md; their schemas still validate and serialise.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleSessionSchema, ConsoleSignInBody, ConsoleSignedOutSchema, ErrorSchema, type ConsoleSession } from '../../protocol/api.js';
import { CONSOLE_PATH, CONSOLE_SESSION_PATH, CONSOLE_SESSION_TTL_S } from '../../protocol/console.js';
import { checkCsrf, checkSameOrigin, CONSOLE_KEY_HINT, secretKeyAccount } from '../auth.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { loadConsoleAssets } from './assets.js';
import { clearCookie, hubOrigin, readCookie, setCookie } from './cookie.js';
import { CONSOLE_CSP, consolePage, PREVIEW_CSP, previewPage } from './page.js';
import { csrfToken, endSession, findSession, newSessionToken, openSession, type ConsoleSessionRow } from './sessions.js';

/** Runs a sign-in attempt under the failed-authentication limit of app.ts. */
type LimitFailures = <T>(request: FastifyRequest, attempt: () => Promise<T>) => Promise<T>;

const notBuilt = () => new HubError(503, 'assets_not_built', 'The console is not built; run `npm run build` and restart the hub');

export async function consoleRoutes(base: FastifyInstance, ctx: HubContext, limitFailures: LimitFailures) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = ctx.store;
  const { publicUrl } = ctx.config;
  const assets = loadConsoleAssets();
  const settings = { secret: ctx.secret, publicUrl };

  const documentHeaders = (reply: FastifyReply, csp: string) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', csp)
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store');

  app.get(CONSOLE_PATH, { schema: { hide: true } }, async (_request, reply) => {
    if (!assets) throw notBuilt();
    documentHeaders(reply, CONSOLE_CSP);
    return consolePage(assets.names);
  });

  app.get(`${CONSOLE_PATH}/preview`, { schema: { hide: true } }, async (_request, reply) => {
    if (!assets) throw notBuilt();
    documentHeaders(reply, PREVIEW_CSP);
    return previewPage(assets.names, ctx.assets?.frame.css ?? null);
  });

  app.get<{ Params: { file: string } }>(`${CONSOLE_PATH}/assets/:file`, { schema: { hide: true } }, async (request, reply) => {
    const file = assets?.files.get(request.params.file);
    if (!file) throw new HubError(404, 'not_found', `No console asset ${JSON.stringify(request.params.file)}; open ${CONSOLE_PATH}`);
    const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    reply.type(file.type).header('x-content-type-options', 'nosniff').header('cache-control', 'public, max-age=31536000, immutable').header('vary', 'Accept-Encoding');
    if (gzip) reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? file.gzip : file.identity);
  });

  const describe = (request: FastifyRequest, token: string, session: ConsoleSessionRow): ConsoleSession => ({
    account: { id: session.account_id, name: session.account_name },
    csrf_token: csrfToken(ctx.secret, token),
    expires_at: session.expires_at,
    hub_url: hubOrigin(publicUrl, request),
    loader: ctx.assets ? { hash: ctx.assets.loader.hash, integrity: ctx.assets.loader.integrity } : null,
  });

  app.post(CONSOLE_SESSION_PATH, {
    schema: {
      hide: true, summary: 'Sign in to the console',
      description: 'Exchanges the secret key for a session cookie (HttpOnly, SameSite=Strict, Secure over https; 8 h). The browser keeps the cookie, never the key.',
      body: ConsoleSignInBody, response: { 200: ConsoleSessionSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema },
    },
  }, async (request, reply) => {
    // A login CSRF would sign the owner into someone else's account: only the console's page signs in.
    checkSameOrigin(request, publicUrl);
    const key = await limitFailures(request, () => secretKeyAccount(db, request.body.secret_key, CONSOLE_KEY_HINT));
    const token = newSessionToken();
    const session = await openSession(db, token, key.account_id, key.id);
    reply.header('set-cookie', setCookie(publicUrl, request, token, CONSOLE_SESSION_TTL_S)).header('cache-control', 'no-store');
    return describe(request, token, session);
  });

  app.get(CONSOLE_SESSION_PATH, {
    schema: {
      hide: true, summary: 'The console session',
      description: 'Who is signed in, until when, and the CSRF token for writes. Same-origin only: no CORS headers.',
      response: { 200: ConsoleSessionSchema, 401: ErrorSchema },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const token = readCookie(publicUrl, request);
    const session = token ? await findSession(db, token) : undefined;
    if (!token || !session) throw new HubError(401, 'session_expired', `Not signed in to the console; sign in at ${CONSOLE_PATH}`);
    return describe(request, token, session);
  });

  app.delete(CONSOLE_SESSION_PATH, {
    schema: {
      hide: true, summary: 'Sign out of the console',
      description: 'Ends the session on the hub and clears the cookie. Needs the CSRF header.',
      response: { 200: ConsoleSignedOutSchema, 403: ErrorSchema },
    },
  }, async (request, reply) => {
    const token = readCookie(publicUrl, request);
    if (token) {
      checkCsrf(request, settings, token);
      await endSession(db, token);
    }
    reply.header('set-cookie', clearCookie(publicUrl, request)).header('cache-control', 'no-store');
    return { signed_out: true as const };
  });
}
