/**
 * Public widget documents: the loader (evergreen URL with a short cache + ETag, and an immutable
 * content-addressed URL for Subresource Integrity), the frame document and its hashed assets.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ID_PREFIX } from '../../protocol/ids.js';
import { parseOrigin } from '../allowlist/origin.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { idShape } from '../ids.js';
import { checkOrigin } from '../visitor/origin-check.js';
import { FRAME_PATH } from '../../protocol/frame.js';
import { publicKeyHash } from '../keys/format.js';
import type { Encoded } from './dist.js';
import { frameHeaders } from './frame.js';
import { chooseLanguage } from './language.js';
import { LOADER_PATH } from '../../protocol/loader-url.js';

/** Picks the smallest encoding the browser accepts; the ETag names the representation. */
function negotiate(request: FastifyRequest, file: Encoded, tag: string) {
  const accept = request.headers['accept-encoding'] ?? '';
  const encoding = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : 'identity';
  return { encoding, body: file[encoding], etag: `"${tag}${encoding === 'identity' ? '' : '-' + encoding}"` };
}

/** Sends the chosen representation, or 304 when the browser already holds it. */
function sendEncoded(request: FastifyRequest, reply: FastifyReply, chosen: ReturnType<typeof negotiate>, vary = 'Accept-Encoding') {
  reply.header('vary', vary).header('etag', chosen.etag);
  if (request.headers['if-none-match'] === chosen.etag) return reply.code(304).send();
  if (chosen.encoding !== 'identity') reply.header('content-encoding', chosen.encoding);
  return reply.send(chosen.body);
}

const WIDGET_KEY_ID = idShape(ID_PREFIX.widgetKey);

const notBuilt = () => new HubError(503, 'assets_not_built', 'The widget files are not built; run `npm run build` and restart the hub');

export async function widgetRoutes(app: FastifyInstance, ctx: HubContext) {
  const { assets } = ctx;
  const loader = (request: FastifyRequest, reply: FastifyReply, immutable: boolean) => {
    if (!assets) throw notBuilt();
    // Customers never change the evergreen URL, so it may only be cached briefly; the hashed one never changes.
    const cacheControl = immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', cacheControl)
      .header('x-content-type-options', 'nosniff')
      // Lets pages load it with crossorigin="anonymous" + integrity="sha384-…" (SRI hashes the decoded body).
      .header('access-control-allow-origin', '*');
    return sendEncoded(request, reply, negotiate(request, assets.loader.body, assets.loader.hash));
  };

  app.get(LOADER_PATH, { schema: { hide: true } }, async (request, reply) => loader(request, reply, false));

  app.get<{ Params: { hash: string } }>('/widget/v1/loader/:hash', { schema: { hide: true } }, async (request, reply) => {
    if (!assets || request.params.hash !== `${assets.loader.hash}.js`) {
      throw new HubError(404, 'not_found', 'No loader build with that hash on this hub; use /widget/v1/loader.js or the URL printed by the hub');
    }
    return loader(request, reply, true);
  });

  app.get<{ Params: { file: string } }>('/widget/v1/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const file = assets?.frame.files.get(request.params.file);
    if (!file) throw new HubError(404, 'not_found', `No widget asset ${JSON.stringify(request.params.file)}`);
    reply
      .type(request.params.file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff');
    return sendEncoded(request, reply, negotiate(request, file, request.params.file));
  });

  app.get<{ Querystring: { k?: string; o?: string } }>(FRAME_PATH, { schema: { hide: true } }, async (request, reply) => {
    if (!assets) throw notBuilt();
    const origin = parseOrigin(typeof request.query.o === 'string' ? request.query.o : undefined);
    const key = await frameKey(ctx, request.query.k);
    // Re-validate `o` against the key: only an allowed origin may frame the widget. A forged `o` is
    // harmless anyway, since the browser checks frame-ancestors against the real embedding page.
    const allowed = key !== null && !key.disabled && origin.ok && checkOrigin(key, origin) === null;
    if (!allowed || !origin.ok) {
      // 204: the browser does not navigate the iframe at all (HTML, "navigate": a 204 response aborts).
      // The loader asks for the frame in parallel with the handshake, so a refused page requests it too;
      // a 403 under frame-ancestors 'none' would print two errors in that page's console besides the
      // loader's one warning. frame-ancestors 'none' stays, for anything that renders a 204 anyway.
      return reply.headers(frameHeaders(null, null)).code(204).send();
    }
    const doc = assets.frame.documents[chooseLanguage(key.agent.locale, request.headers['accept-language'])];
    reply.headers(frameHeaders(origin.origin.origin, doc)).type('text/html; charset=utf-8');
    return sendEncoded(request, reply, negotiate(request, doc.document, 'frame-' + doc.js), 'Accept-Encoding, Accept-Language');
  });
}

/**
 * `k`: the public key as the loader sends it (looked up by hash, through the key cache, after the
 * format check that costs no database touch), or a widget key id, the form of the handshake's `frame_url`.
 */
async function frameKey(ctx: HubContext, k: unknown) {
  if (typeof k !== 'string') return null;
  if (WIDGET_KEY_ID.test(k)) return ctx.keys.getById(k);
  const hash = publicKeyHash(k);
  return hash === null ? null : ctx.keys.get(hash);
}
