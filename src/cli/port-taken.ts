/**
 * A port already in use, explained: which port, what probably holds it (asked over HTTP: another Kataven
 * hub or demo site answers /healthz in its own way), and the flag that picks another. Node's own message
 * ("listen EADDRINUSE: address already in use 127.0.0.1:8787") names none of that.
 */
import { createServer } from 'node:net';
import { DEMO_SITE_HEALTH } from '../demo/sites.js';

export interface PortUse {
  host: string;
  port: number;
  /** The flag that moves this listener, e.g. `--port`. */
  flag: string;
  /** The command the user ran, for the example: `kataven demo`. */
  command: string;
  /** Ports the same command listens on too (the demo's hub and two sites): never suggested. */
  avoid?: number[];
}

const isAddressInUse = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';

/** Who answers on host:port, in words; asks /healthz for at most a second. */
export async function whoHolds(host: string, port: number): Promise<string> {
  const probeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  // A ref'd timer, not AbortSignal.timeout (unref'd): with the hub's listen failed, this probe may be
  // all that keeps the process alive, and Node would exit 0 in the middle of it.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 1000);
  try {
    const res = await fetch(`http://${probeHost}:${port}/healthz`, { signal: controller.signal });
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (body?.service === DEMO_SITE_HEALTH.service) return 'a demo site of another `kataven demo`';
    // The hub's liveness answer (src/hub/app.ts): {status: "ok", database: "ok" | "unreachable"}.
    if (res.ok && body?.status === 'ok' && typeof body.database === 'string') return 'another Kataven hub (probably another `kataven demo` or `kataven serve`; its /healthz answers like one)';
    return `another program (it answers HTTP ${res.status} on /healthz, not as Kataven)`;
  } catch {
    return 'another program (it does not answer HTTP)';
  } finally {
    clearTimeout(timer);
  }
}

const canListen = (host: string, port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, host, () => server.close(() => done(true)));
  });

/**
 * The port to suggest instead: the next one up that is free on `host` now and not one of the command's
 * own, so that following the advice works (the demo's refused site sits right above its allowed one).
 */
async function nextFreePort(use: PortUse): Promise<number> {
  for (let port = use.port + 1; port <= Math.min(use.port + 50, 65535); port++) {
    if (!use.avoid?.includes(port) && (await canListen(use.host, port))) return port;
  }
  return use.port === 65535 ? use.port - 1 : use.port + 1;
}

/** The error to show for a listen failure: explained when the port is taken, the original otherwise. */
export async function explainListenError(err: unknown, use: PortUse): Promise<unknown> {
  if (!isAddressInUse(err)) return err;
  const holder = await whoHolds(use.host, use.port);
  const other = await nextFreePort(use);
  const npm = use.command === 'kataven demo' ? ` (npm start -- ${use.flag} ${other})` : '';
  return new Error(
    `port ${use.port} on ${use.host} is already in use, by ${holder}.\n` +
      `Stop it, or pick another port: ${use.command} ${use.flag} ${other}${npm}`,
  );
}
