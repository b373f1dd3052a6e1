/** `kataven serve` / `kataven demo` on a port something already listens on: real sockets, real CLI. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
/** The port the advice names after `command` (the test fails when it names none). */
function suggested(stderr: string, command: string): number {
  const m = new RegExp(`pick another port: ${command} (\\d+)`).exec(stderr);
  expect(m, stderr).not.toBeNull();
  return Number(m![1]);
}

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
      expect(suggested(run.stderr, 'kataven serve --port')).toBeGreaterThan(port);
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
      const other = suggested(run.stderr, 'kataven demo --port');
      expect(other).toBeGreaterThan(port);
      expect(run.stderr).toContain(`kataven demo --port ${other} (npm start -- --port ${other})`);
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
      // Not port + 1: that is this demo's own refused site (--refused-site-port defaults to it).
      expect(suggested(run.stderr, 'kataven demo --site-port')).toBeGreaterThan(port + 1);
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
      expect(suggested(run.stderr, 'kataven demo --refused-site-port')).toBeGreaterThan(port);
    } finally {
      await closing(server);
    }
  });

  it('suggests a port that is free: the next one up is taken too', async () => {
    const first = createServer((socket) => socket.destroy());
    const port = await listening(first);
    const next = createServer((socket) => socket.destroy());
    const taken = await new Promise<boolean>((ok) => next.once('error', () => ok(false)).listen(port + 1, '127.0.0.1', () => ok(true)));
    try {
      const run = await kataven(['serve', '--port', String(port), '--data-dir', dataDir]);
      expect(run.code).toBe(1);
      const other = suggested(run.stderr, 'kataven serve --port');
      // port + 1 is held: by this test, or by whatever kept this test from taking it.
      expect(other).toBeGreaterThan(port + 1);
    } finally {
      await closing(first);
      if (taken) await closing(next);
    }
  });

  it('refuses a second hub on a SQLite directory another process serves, and says what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kataven-busy-'));
    try {
      // This test's own process, alive, holds the mark: to the CLI's process it is another hub.
      writeFileSync(join(dir, 'hub.pid'), `${process.pid}\nmark\n`);
      const run = await kataven(['serve', '--port', '0', '--data-dir', dir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`another hub (process ${process.pid}) is serving the SQLite database in ${dir}: stop it, or give this hub a directory of its own (--data-dir DIR or KATAVEN_DATA_DIR)`);
      expect(readFileSync(join(dir, 'hub.pid'), 'utf8')).toBe(`${process.pid}\nmark\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a --site-port that is not a port, with the usage', async () => {
    const run = await kataven(['demo', '--site-port', '70000', '--data-dir', dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--site-port="70000": must be a port from 1 to 65535');
    expect(run.stderr).toContain('Usage: kataven demo');
  });
});
