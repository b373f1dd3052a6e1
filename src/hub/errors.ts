/**
 * One error shape for every failure: { error: { type, message } }, with a message a person can act on.
 * Routes throw HubError; the handler below turns everything else (validation, parser, unknown) into it.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody, RequestErrorType } from '../protocol/errors.js';
import { CLIENT_MESSAGE_ID_PATTERN } from '../protocol/conversation-events.js';
import { CONVERSATION_ID_PATTERN } from '../protocol/ids.js';

export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const errorBody = (type: string, message: string): ErrorBody => ({ error: { type, message } });

interface ValidationIssue {
  instancePath?: string;
  schemaPath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** What a schema pattern asks for, in words (a regular expression is no help to a person). */
const PATTERN_HINTS: Record<string, string> = {
  '^#[0-9a-fA-F]{6}$': 'must be a colour written #rrggbb, e.g. "#0f766e"',
  [CONVERSATION_ID_PATTERN]: 'is not a conversation id (conv_…); start a new conversation',
  [CLIENT_MESSAGE_ID_PATTERN]: 'must be printable ASCII without spaces, e.g. a UUID',
};

/** `/domain_allowlist/2` → `domain_allowlist[2]` */
function fieldName(path: string | undefined): string {
  if (!path) return '';
  return path
    .split('/')
    .filter(Boolean)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

function describeIssue(issue: ValidationIssue, part: string): string {
  const field = fieldName(issue.instancePath);
  const extra = issue.params?.additionalProperties ?? issue.params?.additionalProperty;
  if (extra !== undefined) {
    // The path points at the unknown field itself; name it once.
    const names = ([] as unknown[]).concat(extra).map((n) => JSON.stringify(n)).join(', ');
    return `unknown field ${names} in the ${part}; remove it`;
  }
  const required = issue.params?.requiredProperties ?? issue.params?.missingProperty;
  if (required !== undefined) {
    return `${([] as unknown[]).concat(required).map((name) => (field ? `${field}.${name}` : name)).join(', ')}: required in the ${part}`;
  }
  if (issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues)) {
    return `${field}: must be one of ${issue.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (issue.keyword === 'pattern' && typeof issue.params?.pattern === 'string' && PATTERN_HINTS[issue.params.pattern]) {
    return `${field}: ${PATTERN_HINTS[issue.params.pattern]}`;
  }
  return `${field || part}: ${issue.message ?? 'is invalid'}`;
}

/**
 * The issues a person should read, from the validator's. TypeBox reports an unknown field twice: as
 * `additionalProperties` on the object, which names it, and as the `false` schema the field met ("schema
 * is false"); only the first is kept. A union (`anyOf`) that failed comes with one issue per branch and
 * then "must match a schema in anyOf", which together say nothing clear ("must be equal to constant"
 * three times); they become one: the values it may take, the types it may have, or, when the value had
 * the type of one branch (an object missing a field), what that branch found.
 */
function readableIssues(issues: ValidationIssue[]): ValidationIssue[] {
  const unions = issues.filter((i) => i.keyword === 'anyOf');
  const underUnion = (u: ValidationIssue, i: ValidationIssue) => i !== u && !!i.schemaPath?.startsWith(`${u.schemaPath}/anyOf/`);
  return issues.flatMap((issue): ValidationIssue[] => {
    if (issue.keyword === 'boolean' && issue.schemaPath?.endsWith('/additionalProperties')) return [];
    if (issue.keyword !== 'anyOf') return unions.some((u) => underUnion(u, issue)) ? [] : [issue];
    const branches = issues.filter((i) => underUnion(issue, i));
    const at = issue.instancePath;
    if (branches.length && branches.every((b) => b.keyword === 'const')) {
      return [{ instancePath: at, keyword: 'enum', params: { allowedValues: branches.map((b) => b.params?.allowedValue) } }];
    }
    if (branches.length && branches.every((b) => b.keyword === 'type')) {
      return [{ instancePath: at, message: `must be ${branches.map((b) => b.params?.type).join(' or ')}` }];
    }
    const found = branches.filter((b) => !(b.keyword === 'type' && b.instancePath === at));
    return found.length ? found : [issue];
  });
}

/** `onDatabaseUnavailable` hears each request that failed because the database could not be reached (the metrics). */
export function installErrorHandling(app: FastifyInstance, onDatabaseUnavailable: () => void = () => {}): void {
  app.setErrorHandler((err: FastifyError & { validation?: ValidationIssue[]; validationContext?: string }, request, reply) => {
    if (err instanceof HubError) return sendError(reply, err);
    if (err.validation) {
      const part = err.validationContext === 'querystring' ? 'query string' : (err.validationContext ?? 'request');
      const message = readableIssues(err.validation).map((i) => describeIssue(i, part)).join('; ');
      return sendError(reply, requestError(400, 'invalid_request', message));
    }
    const mapped = mapFrameworkError(err, request);
    // The client learns "retry later"; the operator needs the driver's own words.
    if (mapped?.status === 503) {
      request.log.warn({ err }, 'dependency unavailable');
      onDatabaseUnavailable();
    }
    if (mapped) return sendError(reply, mapped);
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, requestError(500, 'internal_error', `Something went wrong on our side. Retry later; if it persists, report request id ${request.id}.`));
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(reply, new HubError(404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}; see /api/v1/openapi.json`));
  });
}

/** The errors every endpoint shares (src/protocol/errors.ts), so each `type` here is one the wire types list. */
const requestError = (status: number, type: RequestErrorType, message: string) => new HubError(status, type, message);

/** A body limit in the words of the refusal: `1 KB`, `16 KB`, or bytes when not a whole number of KB. */
const sizeInWords = (bytes: number) => (bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`);

function mapFrameworkError(err: FastifyError, request: FastifyRequest): HubError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return requestError(400, 'invalid_json', `The request body is not valid JSON (${err.message}); send a JSON object`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // Each route has its own limit (the handshake 1 KB, the frame's API 16 KB, the Admin API 64 KB).
      return requestError(413, 'body_too_large', `The request body is too large; send at most ${sizeInWords(request.routeOptions.bodyLimit)}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return requestError(415, 'unsupported_media_type', 'Send the body as application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return requestError(400, 'invalid_request', 'The Content-Length header does not match the body');
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return requestError(err.statusCode, 'invalid_request', err.message);
  }
  // Database unreachable: fail fast with a clear 503 instead of a 500 (see store options' timeouts).
  if (isUnavailable(err)) return requestError(503, 'service_unavailable', 'The hub cannot reach its database right now; retry in a few seconds');
  return null;
}

const UNAVAILABLE_CODES = new Set([
  // Sockets. ENOTFOUND / EAI_AGAIN: the database's host name does not resolve, as happens while its
  // container is down (Docker and Kubernetes drop the name); transient like a refused connection.
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  // PostgreSQL: admin/crash shutdown, cannot connect now (starting, recovering), too many connections,
  // and the connection-exception class 08.
  '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006',
  'SQLITE_BUSY',
]);

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection is closed|is not queryable/i.test(e.message ?? '');
}

function sendError(reply: FastifyReply, err: HubError): FastifyReply {
  if (err.status === 401) reply.header('www-authenticate', 'Bearer');
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.code(err.status).send(errorBody(err.type, err.message));
}

