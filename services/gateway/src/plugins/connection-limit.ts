import fp from 'fastify-plugin';
import type { Socket } from 'node:net';
import type { Config } from '@ticketpro/shared';

/**
 * At most `HTTP_MAX_CONNECTIONS_PER_ADDRESS` open connections per client address: one client
 * holding sockets open (slowly sent requests, idle keep-alives) cannot use up the gateway's
 * sockets and file descriptors for everyone. The address is the socket's peer, the only one
 * known before a request is read, so behind a proxy it is the proxy's (raise the cap or set it
 * to 0 there). A connection beyond the cap is closed at once, as node does beyond `maxConnections`.
 */
export const connectionLimitPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const max = config.HTTP_MAX_CONNECTIONS_PER_ADDRESS;
    if (max === 0) return;
    const open = new Map<string, number>();

    app.server.on('connection', (socket: Socket) => {
      const address = socket.remoteAddress ?? 'unknown';
      const count = (open.get(address) ?? 0) + 1;
      if (count > max) {
        app.log.debug({ address, max }, 'connection refused: too many open from this address');
        socket.destroy();
        return;
      }
      open.set(address, count);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      });
    });
  },
  { name: 'connection-limit' },
);
