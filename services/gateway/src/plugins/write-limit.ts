import fp from 'fastify-plugin';
import type { Config } from '@ticketpro/shared';

/** Methods that only read; every other one changes something. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * At most `RATE_LIMIT_WRITES` changes per minute per signed-in user, whatever the route (429 with
 * Retry-After beyond): one account cannot flood the services and their databases with writes —
 * thousands of ticket types, orders, cancellations. Counted on arrival, once the token is
 * verified, so refused bodies count too. Reads and the anonymous /auth routes (which have limits
 * of their own) are not counted.
 */
export const writeLimitPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const [limit] = app.limitRate({
      max: config.RATE_LIMIT_WRITES,
      timeWindow: '1 minute',
      what: 'changes from this account',
      key: (request) => String(request.user?.id),
    });
    if (!limit) return;
    app.addHook('onRequest', async (request, reply) => {
      if (request.user && !READS.has(request.method)) await limit(request, reply);
    });
  },
  { name: 'write-limit', dependencies: ['authentication', 'rate-limit'] },
);
