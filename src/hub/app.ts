/**
 * Builds the hub as a Fastify application without listening: tests call it with inject() or listen on a
 * random port; server.ts listens for real. Routes are grouped per resource and receive the HubContext.
 */
import swagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { CONSOLE_COOKIE, CONSOLE_CSRF_HEADER, CONSOLE_PATH, CONSOLE_SESSION_PATH } from '../protocol/console.js';
import { REQUEST_ID_HEADER } from '../protocol/errors.js';
import { ID_PREFIX } from '../protocol/ids.js';
import { adminConversationRoutes } from './admin-conversations/routes.js';
import { agentTestRoutes } from './agent-test/routes.js';
import { agentRoutes } from './agents/routes.js';
import { accountRoutes } from './accounts/routes.js';
import { authenticate } from './auth.js';
import type { HubConfig } from './config.js';
import { capConnectionsPerAddress } from './connection-cap.js';
import type { HubContext } from './context.js';
import { HubError, installErrorHandling } from './errors.js';
import { random128 } from './random.js';
import { lazyRequestLogger } from './request-log.js';
import { consoleRoutes } from './console/routes.js';
import { conversationRoutes } from './conversations/routes.js';
import { docsRoutes } from './docs/routes.js';
import { sessionRefreshRoutes } from './handshake/refresh.js';
import { handshakeRoutes } from './handshake/route.js';
import { metricsRoutes } from './metrics/routes.js';
import { refuseNulCharacters } from './nul-guard.js';
import { identityRoutes } from './identity/routes.js';
import { widgetRoutes } from './widget/routes.js';
import { widgetKeyRoutes } from './widget-keys/routes.js';

/** Never log credentials: secret keys, session tokens, plaintext widget keys. */
const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.session_token',
  '*.secret_key',
  '*.identity_secret',
  '*.key',
  '*.token',
  // An llm agent's model key, at the top of a logged object or in its body (issue 11).
  'api_key',
  '*.api_key',
  '*.llm.api_key',
  '*.*.llm.api_key',
];

/**
 * Conversation ids are as good as a visitor's token for reading a conversation (with the key's origin),
 * so request logs never carry them, at any level: the path segment after `/conversations/` is replaced.
 */
const loggedUrl = (url: string) => url.replace(/(\/conversations\/)[^/?#]+/g, '$1[redacted]');

/** Fastify's own request serializer (lib/logger-pino.js), with the URL redacted. */
const serializeRequest = (request: FastifyRequest) => ({
  method: request.method,
  url: loggedUrl(request.url),
  host: request.host,
  remoteAddress: request.ip,
  remotePort: request.socket?.remotePort,
});

/** The Admin API's body limit (Fastify's default for every route that sets none). */
const ADMIN_BODY_LIMIT = 64 * 1024;


export interface AppOptions {
  logger?: boolean;
  /** Where log lines go (default stdout); tests read them. */
  logStream?: NodeJS.WritableStream;
}

/** The hub's pino logger: credentials redacted, conversation ids out of request lines; silent with `logger: false`. */
export function hubLogger(config: HubConfig, options: AppOptions = {}): FastifyBaseLogger {
  if (options.logger === false) return pino({ enabled: false });
  return pino({ level: config.logLevel, redact: { paths: LOG_REDACT, censor: '[redacted]' }, serializers: { req: serializeRequest } }, options.logStream ?? process.stdout);
}

export async function buildApp(ctx: HubContext, log: FastifyBaseLogger = hubLogger(ctx.config)): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log,
    trustProxy: ctx.config.trustProxy,
    // Slow clients (docs/deployment.md). Node's headers and request timeouts bound the time to *receive*
    // a request; an answer being streamed (conversation events) is not cut by them. The idle timeout
    // cuts a socket silent both ways for that long: the event streams' heartbeats keep theirs alive.
    http: {
      headersTimeout: ctx.config.headersTimeoutMs,
      requestTimeout: ctx.config.requestTimeoutMs,
      // Node checks the two above on this interval (30 s by default, which would let a 10 s timeout last 40 s).
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(ctx.config.headersTimeoutMs / 2)),
    },
    requestTimeout: ctx.config.requestTimeoutMs,
    connectionTimeout: ctx.config.idleTimeoutMs,
    keepAliveTimeout: ctx.config.keepAliveTimeoutMs,
    bodyLimit: ADMIN_BODY_LIMIT,
    // 128 random bits as 32 hex digits, as a UUID without its dashes had, from the pool (random.ts).
    genReqId: () => `${ID_PREFIX.request}_${random128('hex')}`,
    // Request ids are ours: a client-sent X-Request-Id is not trusted into the logs.
    requestIdHeader: false,
    // Two log lines per request cost ~40 µs of a handshake: they are kept for debug and trace. Errors
    // are logged by the error handler, whatever the level.
    logController: new LogController({ disableRequestLogging: !['debug', 'trace'].includes(ctx.config.logLevel) }),
    childLoggerFactory: lazyRequestLogger,
    // Close idle keep-alive sockets on shutdown; in-flight requests still finish.
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  installErrorHandling(app, () => ctx.metrics.dependencyError('database'));
  if (ctx.config.maxConnectionsPerIp > 0 && !ctx.config.trustProxy) capConnectionsPerAddress(app.server, ctx.config.maxConnectionsPerIp, app.log);
  refuseNulCharacters(app);
  // A callback hook, not async: it runs on every request, the handshake included.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Kataven Hub API', version: '1.0.0', description: 'Widget keys, agents and conversations. Authenticate with `Authorization: Bearer sk_live_…`.' },
      components: {
        securitySchemes: {
          secretKey: { type: 'http', scheme: 'bearer', description: 'sk_live_… secret key' },
          consoleSession: { type: 'apiKey', in: 'cookie', name: CONSOLE_COOKIE, description: `The console's session cookie (POST ${CONSOLE_SESSION_PATH}, docs/console.md); writes also need the ${CONSOLE_CSRF_HEADER} header` },
        },
      },
      security: [{ secretKey: [] }, { consoleSession: [] }],
    },
  });

  // Admin API: authenticated and rate limited per account, in its own encapsulated scope.
  await app.register(async (admin) => {
    admin.decorateRequest('accountId', '');
    admin.addHook('preHandler', async (request, reply) => {
      // Every answer is one account's business, and several carry secrets (created keys, rotated keys,
      // agents' webhook secrets): no cache keeps any of them, and no new route can forget it.
      reply.header('cache-control', 'no-store');
      request.accountId = await authenticateLimited(ctx, request);
      await ctx.limit(`admin:${request.accountId}`, ctx.config.adminRateLimit, 'Admin API requests for this account');
    });
    await widgetKeyRoutes(admin, ctx);
    await agentRoutes(admin, ctx);
    await agentTestRoutes(admin, ctx);
    await adminConversationRoutes(admin, ctx);
    await accountRoutes(admin, ctx);
  });

  await handshakeRoutes(app, ctx);
  await sessionRefreshRoutes(app, ctx);
  await identityRoutes(app, ctx);
  await conversationRoutes(app, ctx);
  await widgetRoutes(app, ctx);
  await docsRoutes(app);
  await metricsRoutes(app, ctx);
  await consoleRoutes(app, ctx, (request, attempt) => limitAuthFailures(ctx, request, attempt));

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Someone who opens the hub's address (`npm start` prints it first) or adds a slash gets a page, not
  // a JSON 404. The address itself is the console's sign-in.
  for (const [from, to] of [['/', CONSOLE_PATH], [`${CONSOLE_PATH}/`, CONSOLE_PATH], ['/docs/', '/docs']] as const) {
    app.get(from, { schema: { hide: true } }, async (_request, reply) => reply.redirect(to));
  }
  // The hub has no icon; answered, so the browser's automatic request logs no 404 in the console's tab.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());

  // Liveness: the process answers; it reports the database without failing on it (a restart would not help).
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const database = await ctx.dependencies.database!().then(() => 'ok', () => 'unreachable');
    reply.header('cache-control', 'no-store');
    return { status: 'ok', database };
  });

  // Readiness: take this process out of the load balancer while a dependency is unreachable.
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks = Object.entries(ctx.dependencies).map(async ([name, ping]) => [name, await ping().then(() => 'ok', () => 'unreachable')] as const);
    const results = Object.fromEntries(await Promise.all(checks));
    reply.header('cache-control', 'no-store');
    const down = Object.keys(results).filter((name) => results[name] !== 'ok');
    if (down.length) throw new HubError(503, 'not_ready', `Not ready: ${down.join(' and ')} unreachable`);
    return { status: 'ready', ...results };
  });

  return app;
}

/**
 * Failed authentications are limited per client address: an address over the limit is refused before
 * any lookup, and each failure (garbage refused without a lookup, or a well-formed key no account has)
 * counts. The console's sign-in counts in the same bucket: it is the same guess.
 */
async function limitAuthFailures<T>(ctx: HubContext, request: FastifyRequest, attempt: () => Promise<T>): Promise<T> {
  const bucket = `auth-fail:${request.ip}`;
  ctx.failures.check(bucket);
  try {
    return await attempt();
  } catch (err) {
    if (err instanceof HubError && err.status === 401) await ctx.failures.fail(bucket, ctx.config.adminAuthFailureLimit, 'failed Admin API authentications from this address');
    throw err;
  }
}

const authenticateLimited = (ctx: HubContext, request: FastifyRequest) =>
  limitAuthFailures(ctx, request, () => authenticate(ctx.store.db, request, { secret: ctx.secret, publicUrl: ctx.config.publicUrl }));
