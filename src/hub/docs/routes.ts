/** GET /docs: the Hub API reference, rendered by Swagger UI from /api/v1/openapi.json. */
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors.js';
import { loadDocsAssets, type DocsAssets } from './assets.js';
import { DOCS_CSP } from './page.js';

export async function docsRoutes(app: FastifyInstance) {
  let assets: DocsAssets | undefined;
  const load = () => {
    try {
      return (assets ??= loadDocsAssets());
    } catch (err) {
      // swagger-ui-dist is a dependency; only a broken install lacks it.
      throw new HubError(503, 'docs_unavailable', `The API reference cannot be served (${(err as Error).message}); run npm install, or read /api/v1/openapi.json`);
    }
  };

  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => {
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', DOCS_CSP)
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache');
    return load().page;
  });

  app.get<{ Params: { file: string } }>('/docs/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const file = load().files.get(request.params.file);
    if (!file) throw new HubError(404, 'not_found', `No API reference asset ${JSON.stringify(request.params.file)}; open /docs`);
    const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    reply
      .type(file.type)
      .header('content-security-policy', DOCS_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('vary', 'Accept-Encoding');
    if (gzip) reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? file.gzip : file.identity);
  });
}
