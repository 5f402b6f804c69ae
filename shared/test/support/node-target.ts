/**
 * A node run by run-node.test.ts: runNode with one service and an attachment, each of which
 * logs what it sees as it stops, so the test can read the shutdown's order from the log.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { runNode } from '@ticketpro/shared';

void runNode('target', ({ logger }) => ({
  services: [
    {
      name: 'probe',
      actions: { health: () => ({ status: 'ok' }) },
      async stopped() {
        logger.info('service stopped');
      },
    },
  ],
  attach: async ({ readiness }) => ({
    async close() {
      logger.info({ readiness: await readiness.check() }, 'attachment closing');
      // Like an HTTP server finishing its requests in flight.
      await delay(300);
      logger.info('attachment closed');
    },
  }),
}));
