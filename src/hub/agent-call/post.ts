/**
 * One guarded POST to an agent, and reading its answer. node:http(s) rather than fetch because only
 * `request` takes a `lookup`, the hook where every resolved address is checked before connecting.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CallContext } from './context.js';
import { SseEventTooLarge, SseParser, type SseEvent } from './sse.js';
import { AddressRefused, checkAgentUrl, guardedLookup } from './url-guard.js';

export const USER_AGENT = 'kataven-hub';

/**
 * Most bytes of an answer read whole (a JSON reply), and most characters of one stream event: a
 * 16,000-character reply fits even fully escaped, and a flood is cut before it costs memory.
 */
export const MAX_ANSWER_PART = 256 * 1024;

/** Sends the request; resolves with the response once its headers arrived (any status, redirects included). */
export async function postToAgent(ctx: CallContext, rawUrl: string, headers: Record<string, string>, body: string, field: string): Promise<IncomingMessage> {
  // Checked again at send time: a URL saved before the rule, or while private networks were allowed.
  const checked = checkAgentUrl(rawUrl, { allowPrivate: ctx.allowPrivate, field });
  if (!checked.ok) throw ctx.fail('agent_unavailable', `refused to send: ${checked.message}`);
  const request = checked.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(checked.url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(ctx.resolve, ctx.allowPrivate),
      signal: ctx.watchdog.signal,
      // No shared keep-alive pool: each call connects anew, so each connection went through the lookup above.
      agent: false,
    });
    req.on('response', resolve);
    // An abort (a limit, or the caller) lands here too; `callAgent` reports the abort's reason instead.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof AddressRefused) reject(ctx.fail('agent_unavailable', `refused to connect: ${err.message}`));
      else reject(ctx.fail('agent_unavailable', `could not reach ${checked.url.host}: ${err.code ?? err.message}`));
    });
    req.end(body);
  });
}

/** The body as text, chunk by chunk (UTF-8, characters split across chunks joined), with errors mapped. */
export async function* bodyText(ctx: CallContext, res: IncomingMessage): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
  } catch (err) {
    throw ctx.fail('agent_unavailable', `the connection broke mid-answer (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    res.destroy();
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** The whole body as text, or `undefined` past `maxBytes` (the rest is not read). */
export async function readWhole(ctx: CallContext, res: IncomingMessage, maxBytes = MAX_ANSWER_PART): Promise<string | undefined> {
  let text = '';
  let bytes = 0;
  for await (const part of bodyText(ctx, res)) {
    text += part;
    bytes += Buffer.byteLength(part);
    if (bytes > maxBytes) return undefined;
  }
  return text;
}

/** The media type without parameters, lowercased: `text/event-stream; charset=utf-8` → `text/event-stream`. */
export const mediaType = (res: IncomingMessage): string => (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/** Returns for a 2xx; throws for a redirect (refused: it could lead anywhere) or an error status. */
export async function expectSuccess(ctx: CallContext, res: IncomingMessage, who: string, hints: Partial<Record<number, string>> = {}): Promise<void> {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return;
  if (status >= 300 && status < 400) {
    res.destroy();
    throw ctx.fail('agent_bad_answer', `${who} answered a redirect (HTTP ${status} to ${res.headers.location ?? 'nowhere'}); redirects are refused: use the final URL`);
  }
  const hint = hints[status] ? ` (${hints[status]})` : '';
  throw ctx.fail('agent_unavailable', `${who} answered HTTP ${status}${hint}${await errorExcerpt(ctx, res)}`);
}

/** The answer's `text/event-stream` as events; an event past `maxChars` fails `agent_too_long`. */
export async function* streamEvents(ctx: CallContext, res: IncomingMessage, maxChars = MAX_ANSWER_PART): AsyncGenerator<SseEvent> {
  const parser = new SseParser(maxChars);
  try {
    for await (const text of bodyText(ctx, res)) yield* parser.push(text);
    yield* parser.end();
  } catch (err) {
    if (err instanceof SseEventTooLarge) throw ctx.fail('agent_too_long', `the answer stream held ${err.message}`);
    throw err;
  }
}

/** A short, single-line excerpt of an error body for the owner's log. */
export async function errorExcerpt(ctx: CallContext, res: IncomingMessage): Promise<string> {
  const text = await readWhole(ctx, res, 4096).catch(() => undefined);
  if (!text) return '';
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const candidate = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof candidate === 'string') message = candidate;
  } catch {
    /* not JSON: the text itself */
  }
  const line = message.replace(/\s+/g, ' ').trim();
  return line ? `: ${line.length > 200 ? line.slice(0, 199) + '…' : line}` : '';
}
