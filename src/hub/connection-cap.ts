/**
 * At most N open connections per client address, so that one address cannot hold every socket the
 * process can serve (slow clients, idle keep-alives). Counted on the TCP connection, before any HTTP:
 * one over the cap is closed at once. Behind a reverse proxy every connection is the proxy's, so the cap
 * is off whenever KATAVEN_TRUST_PROXY is set; the proxy must cap per client itself (docs/deployment.md).
 */
import type { Server } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';

export function capConnectionsPerAddress(server: Server, max: number, log: FastifyBaseLogger): void {
  const open = new Map<string, number>();
  /** Addresses told about in the log since they last went under the cap: one line per episode, not per socket. */
  const reported = new Set<string>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      if (!reported.has(address)) {
        reported.add(address);
        log.warn({ remoteAddress: address, max }, 'connection cap reached for this address (KATAVEN_MAX_CONNECTIONS_PER_IP): closing its new connections');
      }
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = open.get(address)! - 1;
      if (left > 0) open.set(address, left);
      else {
        open.delete(address);
        reported.delete(address);
      }
    });
  });
}
