/**
 * One typed hierarchy for everything a request can end in, chosen by HTTP status (openai-node's
 * `APIError.generate`). Each error carries the server's `error.type` and message and the hub's request id,
 * so a user can act on the message and quote the id in a report.
 */
import { REQUEST_ID_HEADER, type ErrorBody } from '../protocol/errors.js';

export class APIError extends Error {
  override name = 'APIError';
  /** HTTP status; undefined when no response arrived. */
  readonly status: number | undefined;
  /** The server's `error.type`, e.g. `not_found`, `invalid_allowlist`, `rate_limited`. */
  readonly type: string | undefined;
  /** The hub's `x-request-id` for this response: quote it when reporting a problem. */
  readonly requestId: string | undefined;
  readonly headers: Headers | undefined;

  constructor(status: number | undefined, type: string | undefined, message: string, headers?: Headers, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.type = type;
    this.headers = headers;
    this.requestId = headers?.get(REQUEST_ID_HEADER) ?? undefined;
  }

  /** The error class for a non-2xx response; `body` is the parsed JSON body, if any. */
  static generate(status: number, body: unknown, headers: Headers): APIError {
    const error = (body as Partial<ErrorBody> | undefined)?.error;
    const type = typeof error?.type === 'string' ? error.type : undefined;
    const message = typeof error?.message === 'string' ? error.message : `The hub answered HTTP ${status} without an error message`;
    const Class = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : APIError);
    return new Class(status, type, message, headers);
  }
}

export class BadRequestError extends APIError { override name = 'BadRequestError'; }
export class AuthenticationError extends APIError { override name = 'AuthenticationError'; }
export class PermissionDeniedError extends APIError { override name = 'PermissionDeniedError'; }
export class NotFoundError extends APIError { override name = 'NotFoundError'; }
export class ConflictError extends APIError { override name = 'ConflictError'; }
export class UnprocessableEntityError extends APIError { override name = 'UnprocessableEntityError'; }
export class RateLimitError extends APIError { override name = 'RateLimitError'; }
export class InternalServerError extends APIError { override name = 'InternalServerError'; }

/** No response: DNS, refused or reset connection, TLS. `cause` holds the underlying error. */
export class APIConnectionError extends APIError {
  override name = 'APIConnectionError';
  constructor(message = 'Could not connect to the Kataven hub', options?: { cause?: unknown }) {
    super(undefined, undefined, message, undefined, options);
  }
}

export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';
  constructor(timeoutMs: number) {
    super(`The request timed out after ${timeoutMs} ms; raise the \`timeout\` option if the hub is slow`);
  }
}

const STATUS_CLASSES: Record<number, new (...args: ConstructorParameters<typeof APIError>) => APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};
