import type { ServiceBroker } from 'moleculer';
import { createBroker, createLogger } from '@ticketpro/shared';
import { testConfig, uniqueName } from '@ticketpro/shared/testing';
import { createIdentityService } from '../../src';

export type Overrides = Parameters<typeof testConfig>[0];

/** A broker running one identity service, configured for tests plus `overrides`, started. */
export async function startIdentityNode(overrides: Overrides = {}): Promise<ServiceBroker> {
  const config = testConfig({ NAMESPACE: uniqueName('identity'), ...overrides });
  const logger = createLogger('identity', config.LOG_LEVEL);
  const broker = createBroker({ config, role: 'identity', logger });
  broker.createService(createIdentityService({ config, logger }));
  try {
    await broker.start();
  } catch (err) {
    await broker.stop();
    throw err;
  }
  return broker;
}
