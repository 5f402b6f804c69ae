import type { Knex } from 'knex';
import type { ServiceBroker } from 'moleculer';
import { startServiceNode, type ConfigOverrides } from '@ticketpro/shared/testing';
import { createCatalogService } from '../../src';
import { IdentityStandIn } from './identity-stand-in';
import { OrderingStandIn } from './ordering-stand-in';

export interface CatalogNode {
  broker: ServiceBroker;
  /** Direct access to catalog's tables, for checking what the service stored. */
  db: Knex;
  identity: IdentityStandIn;
  ordering: OrderingStandIn;
  stop(): Promise<void>;
}

/**
 * A broker running one catalog service, on a database of its own, next to stand-ins for identity
 * and ordering, configured for tests plus `overrides`, started. The sweep runs hourly unless `overrides` ask
 * otherwise, so tests see expired holds the way reads do before any sweep.
 */
export async function startCatalogNode(label: string, overrides: ConfigOverrides = {}): Promise<CatalogNode> {
  const identity = new IdentityStandIn();
  const ordering = new OrderingStandIn();
  const node = await startServiceNode({
    label,
    services: { catalog: (deps) => createCatalogService(deps) },
    standIns: [identity.schema(), ordering.schema()],
    config: { HOLD_SWEEP_INTERVAL_MS: 3_600_000, ...overrides },
  });
  return { broker: node.broker, db: node.db.catalog, identity, ordering, stop: node.stop };
}
