/**
 * No string with a NUL character (U+0000) reaches the database. PostgreSQL refuses NUL in text (error
 * 22021, which surfaced as a 500 with a stack in the log) while SQLite stores it, so the same request
 * behaved differently per store. One hook covers what every route takes as data: the body, the path
 * parameters and the query string. Refused with a 400 naming the field, never cleaned, free text
 * included: no person types a NUL and the frame never sends one, so it marks a broken or hostile client,
 * and silently changing stored text would hide that. Headers need no check: Node's HTTP parser refuses
 * control characters in them (400) before any route runs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from './errors.js';

/** The path of the first string (or object key) holding a NUL, as the validation errors name fields: `domain_allowlist[2]`. */
function nulIn(value: unknown): string | null {
  // An explicit stack, not recursion: a 64 KB body can nest deeper than the call stack.
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        const field = path ? `${path}.${k}` : k;
        if (k.includes('\0')) return field;
        stack.push([item, field]);
      }
    }
  }
  return null;
}

function firstNul(request: FastifyRequest): string | null {
  const parts: Array<[unknown, string]> = [[request.body, 'the body'], [request.params, 'the path'], [request.query, 'the query string']];
  for (const [value, where] of parts) {
    const path = nulIn(value);
    if (path !== null) return path ? `${path} (in ${where})` : where;
  }
  return null;
}

export function refuseNulCharacters(app: FastifyInstance): void {
  // A callback hook: it runs on every request, the handshake included.
  app.addHook('preValidation', (request, _reply, done) => {
    const field = firstNul(request);
    done(field === null ? undefined : new HubError(400, 'invalid_request', `${field}: contains a NUL character (\\u0000), which the hub never stores; remove it`));
  });
}
