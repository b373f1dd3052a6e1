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
    hub.app.close().then(
      () => process.exit(0),
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
