import type { ServiceBroker, ServiceSchema } from 'moleculer';
import { createBroker, createLogger, type Config } from '@ticketpro/shared';
import { createTicketingService, type TicketingRuntime } from '../../src';

export interface TicketingNode {
  broker: ServiceBroker;
  runtime: TicketingRuntime;
}

/** A broker running one ticketing service (plus any stand-ins given), started. */
export async function startTicketingNode(config: Config, standIns: ServiceSchema[] = []): Promise<TicketingNode> {
  const logger = createLogger('ticketing', config.LOG_LEVEL);
  const broker = createBroker({ config, role: 'ticketing', logger });
  let runtime: TicketingRuntime | undefined;
  broker.createService(createTicketingService({ config, logger }, { onStarted: (started) => (runtime = started) }));
  for (const schema of standIns) broker.createService(schema);
  try {
    await broker.start();
  } catch (err) {
    await broker.stop();
    throw err;
  }
  return { broker, runtime: runtime! };
}
