/**
 * The demo customer site for the browser runs: examples/site served as `kataven demo` serves it (the
 * hub URL and widget key filled in, `Cache-Control: no-store`), plus the bench's own pages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { ROOT } from './proc.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

export async function startSite({ hubUrl, clientKey, port, extraPages = {} }) {
  const dir = join(ROOT, 'examples/site');
  const files = new Map(readdirSync(dir).map((name) => [`/${name}`, readFileSync(join(dir, name), 'utf8')]));
  for (const [path, html] of Object.entries(extraPages)) files.set(path, html);
  const hub = new URL(hubUrl).origin;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const name = path === '/' ? '/index.html' : path;
    const body = files.get(name);
    if (req.method !== 'GET' || body === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(name.endsWith('.html') ? body.replaceAll('{{HUB}}', hub).replaceAll('{{KEY}}', clientKey).replaceAll('{{NONCE}}', '') : body);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, 'localhost', ok);
  });
  return {
    url: `http://localhost:${server.address().port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
