/**
 * Public widget documents: the loader (evergreen URL with a short cache + ETag, and an immutable
 * content-addressed URL for Subresource Integrity), the frame document and its hashed assets.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseOrigin } from '../allowlist/origin.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { checkOrigin } from '../handshake/route.js';
import { frameDocument, frameHeaders } from './frame.js';

const notBuilt = () => new HubError(503, 'assets_not_built', 'The widget files are not built; run `npm run build` and restart the hub');

export async function widgetRoutes(app: FastifyInstance, ctx: HubContext) {
  const { assets } = ctx;
  const loader = (reply: FastifyReply, immutable: boolean) => {
    if (!assets) throw notBuilt();
    reply
      .type('text/javascript; charset=utf-8')
      .header('etag', assets.loader.etag)
      // Customers never change the evergreen URL, so it may only be cached briefly; the hashed one never changes.
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
      // Lets pages load it with crossorigin="anonymous" + integrity="sha384-…".
      .header('access-control-allow-origin', '*')
      .header('x-content-type-options', 'nosniff');
    return reply.send(assets.loader.body);
  };

  app.get('/widget/v1/loader.js', { schema: { hide: true } }, async (request, reply) => {
    if (assets && request.headers['if-none-match'] === assets.loader.etag) {
      return reply.code(304).header('etag', assets.loader.etag).header('cache-control', 'public, max-age=300').send();
    }
    return loader(reply, false);
  });

  app.get<{ Params: { hash: string } }>('/widget/v1/loader/:hash', { schema: { hide: true } }, async (request, reply) => {
    if (!assets || request.params.hash !== `${assets.loader.hash}.js`) {
      throw new HubError(404, 'not_found', 'No loader build with that hash on this hub; use /widget/v1/loader.js or the URL printed by the hub');
    }
    return loader(reply, true);
  });

  app.get<{ Params: { file: string } }>('/widget/v1/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const body = assets?.frame.files.get(request.params.file);
    if (!body) throw new HubError(404, 'not_found', `No widget asset ${JSON.stringify(request.params.file)}`);
    return reply
      .type(request.params.file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  });

  app.get<{ Querystring: { k?: string; o?: string } }>('/widget/v1/frame', { schema: { hide: true } }, async (request, reply) => {
    if (!assets) throw notBuilt();
    const origin = parseOrigin(typeof request.query.o === 'string' ? request.query.o : undefined);
    const k = request.query.k;
    const key = typeof k === 'string' && /^wk_[0-9a-z]{21}$/.test(k) ? await ctx.keys.getById(k) : null;
    // Re-validate `o` against the key: only an allowed origin may frame the widget. A forged `o` is
    // harmless anyway, since the browser checks frame-ancestors against the real embedding page.
    const allowed = key !== null && !key.disabled && origin.ok && checkOrigin(key, origin) === null;
    reply.headers(frameHeaders(allowed && origin.ok ? origin.origin.origin : null));
    return reply.code(allowed ? 200 : 403).type('text/html; charset=utf-8').send(frameDocument(assets, allowed));
  });
}
