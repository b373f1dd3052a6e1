/** Runs a hub on a port until SIGINT/SIGTERM, then drains in-flight requests and closes the store. */
import type { HubConfig } from './config.js';
import { createHub, type Hub } from './hub.js';

export async function startServer(config: HubConfig): Promise<Hub & { url: string }> {
  const hub = await createHub(config);
  const address = await hub.app.listen({ port: config.port, host: config.host });
  const url = config.publicUrl ?? address;
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    hub.app.log.info({ signal }, 'shutting down: draining in-flight requests');
    // close() stops listening and closes the sockets idle at that moment; a socket whose request is still
    // in flight turns idle (kept alive, for up to 72 s) once answered, and would hold close() until the
    // client hangs up. Close such sockets as soon as they are idle.
    const sweep = setInterval(() => hub.app.server.closeIdleConnections(), 100);
    hub.app.close().then(
      () => {
        clearInterval(sweep);
        process.exit(0);
      },
      (err) => {
        hub.app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return { ...hub, url };
}
