import type { NodeAttachment, NodeDeps, RunningNode } from '@ticketpro/shared';
import { buildApp } from './app';

/**
 * Builds the app and serves it on PORT. Closing stops accepting, closes idle keep-alive
 * connections, and resolves once the requests in flight are answered (fastify's `close()`).
 */
export async function listen({ broker, readiness, metrics, ...deps }: NodeDeps & RunningNode): Promise<NodeAttachment> {
  const app = await buildApp({ ...deps, broker, readiness, nodeMetrics: metrics });
  const address = await app.listen({ port: deps.config.PORT, host: deps.config.HOST });
  deps.logger.info({ address }, 'gateway listening');
  return { close: () => app.close() };
}
