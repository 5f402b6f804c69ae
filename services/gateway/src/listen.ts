import type { ServiceBroker } from 'moleculer';
import type { NodeAttachment, NodeDeps } from '@ticketpro/shared';
import { buildApp } from './app';

/** Builds the app and serves it on PORT; closing stops accepting and finishes requests in flight. */
export async function listen(deps: NodeDeps & { broker: ServiceBroker }): Promise<NodeAttachment> {
  const app = await buildApp(deps);
  const address = await app.listen({ port: deps.config.PORT, host: deps.config.HOST });
  deps.logger.info({ address }, 'gateway listening');
  return { close: () => app.close() };
}
