import type { Knex } from 'knex';
import type { ServiceBroker } from 'moleculer';
import { standInService, startServiceNode, type ConfigOverrides } from '@ticketpro/shared/testing';
import { createCatalogService } from '@ticketpro/catalog';
import { createTicketingService } from '@ticketpro/ticketing';
import { createOrderingService, type OrderingOptions, type OrderingRuntime } from '../../src';

export type Overrides = ConfigOverrides;

/** The phone number on every test user's account, as identity stores it. */
export const BUYER_PHONE = '+263 77 123 4567';

export interface OrderingNode {
  broker: ServiceBroker;
  runtime: OrderingRuntime;
  /** Direct access to ordering's, catalog's and ticketing's tables, for checking what the services stored. */
  orderingDb: Knex;
  catalogDb: Knex;
  ticketingDb: Knex;
  stop(): Promise<void>;
}

/**
 * A broker running the real ordering, catalog and ticketing services, each in its own schema of
 * a fresh database (events on the in-process bus), next to a stand-in identity (catalog asks it
 * for organizer names). Both sweeps run hourly unless `overrides` say otherwise, so tests see lapsed orders
 * the way reads do before any sweep.
 */
export async function startOrderingNode(
  overrides: ConfigOverrides = {},
  options: OrderingOptions = {},
): Promise<OrderingNode> {
  let runtime: OrderingRuntime | undefined;
  const node = await startServiceNode({
    label: 'ordering',
    services: {
      catalog: (deps) => createCatalogService(deps),
      ticketing: (deps) => createTicketingService(deps),
      ordering: (deps) =>
        createOrderingService(deps, {
          ...options,
          onStarted: (started) => (runtime = started),
        }),
    },
    // Identity across the boundary, as far as catalog and ordering need it: nobody's names are
    // known; every user has an EcoCash number (Paynow pushes payments to it) and an email.
    standIns: [
      standInService('identity', {
        'users.names': async () => [],
        'users.get': async (ctx) => ({
          id: ctx.params.id,
          firstname: 'Tendai',
          surname: 'Moyo',
          email: `user${ctx.params.id}@example.com`,
          phone_number: BUYER_PHONE,
          street_address: '12 Samora Machel Ave, Harare',
          active: true,
          role: 'user' as const,
          is_verified: true,
          created_at: new Date(0).toISOString(),
          updated_at: new Date(0).toISOString(),
        }),
      }),
    ],
    config: {
      // One test buyer places far more orders than a person would: the limits on what a user may
      // hold unpaid are off unless a test turns them on.
      MAX_PENDING_ORDERS_PER_USER: 0,
      MAX_PENDING_UNITS_PER_EVENT: 0,
      HOLD_SWEEP_INTERVAL_MS: 3_600_000,
      ORDER_EXPIRY_SWEEP_INTERVAL_MS: 3_600_000,
      ...overrides,
    },
  });
  const { broker, db, stop } = node;
  return { broker, runtime: runtime!, orderingDb: db.ordering, catalogDb: db.catalog, ticketingDb: db.ticketing, stop };
}

/**
 * The ordering node of a test file: started before the file's tests (as `startOrderingNode`
 * starts it) and stopped after them. Its fields are read inside tests and hooks registered after
 * this call, once it has started.
 */
export function orderingNodeForFile(overrides: ConfigOverrides = {}, options: OrderingOptions = {}): OrderingNode {
  let started: OrderingNode | undefined;
  beforeAll(async () => {
    started = await startOrderingNode(overrides, options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const node = () => {
    if (!started) throw new Error('The ordering node starts in beforeAll: use it inside a test or a later hook');
    return started;
  };
  return {
    get broker() {
      return node().broker;
    },
    get runtime() {
      return node().runtime;
    },
    get orderingDb() {
      return node().orderingDb;
    },
    get catalogDb() {
      return node().catalogDb;
    },
    get ticketingDb() {
      return node().ticketingDb;
    },
    stop: () => node().stop(),
  };
}
