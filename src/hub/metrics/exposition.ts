/**
 * Where metrics may be read: a listener of their own (KATAVEN_METRICS_PORT, on KATAVEN_METRICS_HOST,
 * 127.0.0.1 by default) that answers GET /metrics and nothing else, so they stay off the public port.
 * The public port serves them only with KATAVEN_METRICS_TOKEN (routes.ts).
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export const METRICS_PATH = '/metrics';

/** The scrape's body and content type (Prometheus text format 0.0.4). */
export async function exposition(registry: Registry): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType };
}

/** Listens on `host:port` (0: any free port); resolves once listening. */
export async function listenForMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ error: { type: 'not_found', message: `This port serves only GET ${METRICS_PATH}` } }));
    }
    exposition(registry).then(
      ({ body, contentType }) => {
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        response.end(body);
      },
      () => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { type: 'internal_error', message: 'The metrics could not be collected; retry the scrape' } }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
