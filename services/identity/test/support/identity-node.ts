import type { Knex } from 'knex';
import type { ServiceBroker } from 'moleculer';
import { startServiceNode, type ConfigOverrides } from '@ticketpro/shared/testing';
import { createIdentityService, type IdentityOptions } from '../../src';

export interface IdentityNode {
  broker: ServiceBroker;
  /** Direct access to identity's tables, for checking what the service stored. */
  db: Knex;
  stop(): Promise<void>;
}

/**
 * A broker running one identity service, configured for tests plus `overrides`, started: on a
 * database of its own, or on the one `overrides.DATABASE_URL` names (several instances on one).
 */
export async function startIdentityNode(
  label: string,
  overrides: ConfigOverrides = {},
  options: IdentityOptions = {},
): Promise<IdentityNode> {
  const node = await startServiceNode({
    label,
    services: { identity: (deps) => createIdentityService(deps, options) },
    config: overrides,
  });
  return { broker: node.broker, db: node.db.identity, stop: node.stop };
}
