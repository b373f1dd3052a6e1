/**
 * Request loggers made when first used. Fastify gives every request a child of the hub's logger bound to
 * its request id, and with the hub's redaction paths pino runs those bindings through its redaction
 * serializer: ~1.5 µs a request (docs/performance.md §3). Below debug, request logging is off and most
 * requests write no line, so the child is made only for a request that logs.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';

// pino's log methods take (object, message, …) or (message, …); a lazy logger passes them on untouched.
type Args = Parameters<FastifyBaseLogger['info']>;

class LazyRequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | null = null;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }
  set level(level: string) {
    this.real.level = level;
  }

  fatal(...args: Args) { this.real.fatal(...args); }
  error(...args: Args) { this.real.error(...args); }
  warn(...args: Args) { this.real.warn(...args); }
  info(...args: Args) { this.real.info(...args); }
  debug(...args: Args) { this.real.debug(...args); }
  trace(...args: Args) { this.real.trace(...args); }
  silent(...args: Args) { this.real.silent(...args); }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: the request's logger, its pino child made on its first line. */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options);
}
