/**
 * Serves the demo customer site (examples/site) with the hub URL and the demo key filled in. `kataven demo`
 * runs it twice: on http://localhost:3000 (in the demo key's allowlist) and http://127.0.0.1:3001 (not).
 * The e2e tests serve the very same pages.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { findUp } from '../hub/widget/dist.js';

export interface DemoSiteOptions {
  hubUrl: string;
  clientKey: string;
  host: string;
  port: number;
  /** Extra pages (path → HTML, same placeholders), read on every request: e2e fixtures add to it. */
  extraPages?: Map<string, string>;
}

export interface DemoSite {
  url: string;
  close(): Promise<void>;
}

/** What a demo site answers on /healthz, so that a second `kataven demo` can name what holds its port. */
export const DEMO_SITE_HEALTH = { status: 'ok', service: 'kataven demo site' } as const;

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** examples/site, from the bundled CLI (dist/) or from source (src/demo/). */
export function findSiteDir(): string {
  const dir = findUp((d) => (existsSync(join(d, 'examples/site/index.html')) ? join(d, 'examples/site') : undefined));
  if (!dir) throw new Error('examples/site not found next to the kataven package');
  return dir;
}

export async function startDemoSite(options: DemoSiteOptions): Promise<DemoSite> {
  const dir = findSiteDir();
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)) files.set(`/${name}`, readFileSync(join(dir, name), 'utf8'));
  const hub = new URL(options.hubUrl).origin;

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const name = path === '/' ? '/index.html' : path;
    const body = options.extraPages?.get(name) ?? files.get(name);
    // No icon, and no "404" line in the demo's console for the browser's automatic request.
    if (name === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (name === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(DEMO_SITE_HEALTH));
      return;
    }
    if (req.method !== 'GET' || body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    const headers: Record<string, string> = { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (name === '/strict-csp.html') {
      headers['content-security-policy'] = `script-src 'nonce-${nonce}' 'strict-dynamic'; style-src 'self'; frame-src ${hub}; connect-src ${hub}`;
    }
    res.writeHead(200, headers).end(
      name.endsWith('.html') ? body.replaceAll('{{HUB}}', hub).replaceAll('{{KEY}}', options.clientKey).replaceAll('{{NONCE}}', nonce) : body,
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, ok);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '127.0.0.1' || options.host === '::1' ? options.host : 'localhost';
  return {
    url: `http://${shownHost}:${port}`,
    async close() {
      // Chromium keeps connections alive; without this, close() waits for them.
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
