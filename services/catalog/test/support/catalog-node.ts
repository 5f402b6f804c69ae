import type { ServiceBroker } from 'moleculer';
import { createBroker, createLogger } from '@ticketpro/shared';
import { testConfig, uniqueName } from '@ticketpro/shared/testing';
import { createCatalogService, type CatalogOptions } from '../../src';
import { IdentityStandIn } from './identity-stand-in';
import { OrderingStandIn } from './ordering-stand-in';

export type Overrides = Parameters<typeof testConfig>[0];

export interface CatalogNode {
  broker: ServiceBroker;
  identity: IdentityStandIn;
  ordering: OrderingStandIn;
}

/**
 * A broker running one catalog service next to stand-ins for identity and ordering, configured
 * for tests plus `overrides`, started. The sweep runs hourly unless asked otherwise, so tests see
 * expired holds the way reads do before any sweep.
 */
export async function startCatalogNode(overrides: Overrides = {}, options: CatalogOptions = {}): Promise<CatalogNode> {
  const config = testConfig({ NAMESPACE: uniqueName('catalog'), ...overrides });
  const logger = createLogger('catalog', config.LOG_LEVEL);
  const broker = createBroker({ config, role: 'catalog', logger });
  const identity = new IdentityStandIn();
  const ordering = new OrderingStandIn();
  broker.createService(createCatalogService({ config, logger }, { holdSweepIntervalMs: 3_600_000, ...options }));
  broker.createService(identity.schema());
  broker.createService(ordering.schema());
  try {
    await broker.start();
  } catch (err) {
    await broker.stop();
    throw err;
  }
  return { broker, identity, ordering };
}
