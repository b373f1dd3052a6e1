/** `kataven serve` / `kataven demo` on a port something already listens on: real sockets, real CLI. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoSite } from '../../src/demo/sites.js';
import { startTestHub } from '../helpers/hub.js';
import { kataven } from './run.js';

async function listening(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, host, ok));
  return (server.address() as AddressInfo).port;
}
const closing = (server: Server) => new Promise((r) => server.close(r));

describe('a port already in use', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'kataven-port-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('kataven serve names the port, another Kataven hub holding it, and --port', async () => {
    const hub = await startTestHub('sqlite');
    try {
      const port = Number(new URL(hub.url).port);
      const run = await kataven(['serve', '--port', String(port), '--data-dir', dataDir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is already in use, by another Kataven hub`);
      expect(run.stderr).toContain(`pick another port: kataven serve --port ${port + 1}`);
      expect(run.stderr).not.toContain('EADDRINUSE');
    } finally {
      await hub.close();
    }
  });

  it('kataven demo names a program that does not speak HTTP, and the npm start form of --port', async () => {
    const server = createServer((socket) => socket.destroy());
    const port = await listening(server);
    try {
      const run = await kataven(['demo', '--port', String(port), '--data-dir', dataDir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is already in use, by another program (it does not answer HTTP)`);
      expect(run.stderr).toContain(`kataven demo --port ${port + 1} (npm start -- --port ${port + 1})`);
    } finally {
      await closing(server);
    }
  });

  it("kataven demo names another demo's site holding the site port, and --site-port", async () => {
    const site = await startDemoSite({ hubUrl: 'http://127.0.0.1:1', clientKey: 'pk_live_x', host: 'localhost', port: 0 });
    try {
      const port = Number(new URL(site.url).port);
      const run = await kataven(['demo', '--port', '0', '--site-port', String(port), '--data-dir', dataDir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${port} on localhost is already in use, by a demo site of another \`kataven demo\``);
      expect(run.stderr).toContain(`kataven demo --site-port ${port + 1}`);
    } finally {
      await site.close();
    }
  });

  it('kataven demo names an HTTP server that is not Kataven on the refused site port, and --refused-site-port', async () => {
    const server = createHttpServer((_req, res) => res.writeHead(404).end()) as unknown as Server;
    const port = await listening(server);
    try {
      // The allowed site's port: one the system just handed out and took back, so free now.
      const free = createServer();
      const sitePort = await listening(free, 'localhost');
      await closing(free);
      const run = await kataven(['demo', '--port', '0', '--site-port', String(sitePort), '--refused-site-port', String(port), '--data-dir', dataDir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is already in use, by another program (it answers HTTP 404 on /healthz, not as Kataven)`);
      expect(run.stderr).toContain(`kataven demo --refused-site-port ${port + 1}`);
    } finally {
      await closing(server);
    }
  });

  it('refuses a --site-port that is not a port, with the usage', async () => {
    const run = await kataven(['demo', '--site-port', '70000', '--data-dir', dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--site-port="70000": must be a port from 1 to 65535');
    expect(run.stderr).toContain('Usage: kataven demo');
  });
});
