import knexFactory, { type Knex } from 'knex';
import type { ServiceBroker } from 'moleculer';
import { createBroker, createLogger } from '@ticketpro/shared';
import {
  createTestDatabase,
  standInService,
  testConfig,
  uniqueName,
  type TestDatabase,
} from '@ticketpro/shared/testing';
import { createCatalogService } from '@ticketpro/catalog';
import { createTicketingService } from '@ticketpro/ticketing';
import { createOrderingService, type OrderingOptions, type OrderingRuntime } from '../../src';

export type Overrides = Parameters<typeof testConfig>[0];

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
 * A broker running the real ordering, catalog and ticketing services, each on its own fresh
 * database (events on the in-process bus), next to a stand-in identity (catalog asks it for
 * organizer names). Both sweeps run hourly unless asked otherwise, so tests see lapsed orders the
 * way reads do before any sweep.
 */
export async function startOrderingNode(
  overrides: Overrides = {},
  options: OrderingOptions = {},
): Promise<OrderingNode> {
  const databases: TestDatabase[] = [];
  const catalogDatabase = await createTestDatabase('ordering_catalog');
  databases.push(catalogDatabase);
  const orderingDatabase = await createTestDatabase('ordering');
  databases.push(orderingDatabase);
  const ticketingDatabase = await createTestDatabase('ordering_ticketing');
  databases.push(ticketingDatabase);
  const config = testConfig({
    NAMESPACE: uniqueName('ordering'),
    CATALOG_DATABASE_URL: catalogDatabase.url,
    ORDERING_DATABASE_URL: orderingDatabase.url,
    TICKETING_DATABASE_URL: ticketingDatabase.url,
    // One test buyer places far more orders than a person would: the limits on what a user may
    // hold unpaid are off unless a test turns them on.
    MAX_PENDING_ORDERS_PER_USER: 0,
    MAX_PENDING_UNITS_PER_EVENT: 0,
    ...overrides,
  });
  const logger = createLogger('ordering-test', config.LOG_LEVEL);
  const broker = createBroker({ config, role: 'ordering-test', logger });
  let runtime: OrderingRuntime | undefined;
  broker.createService(createCatalogService({ config, logger }, { holdSweepIntervalMs: 3_600_000 }));
  broker.createService(createTicketingService({ config, logger }));
  // Identity across the boundary, as far as catalog and ordering need it: nobody's names are
  // known; every user has an EcoCash number (Paynow pushes payments to it) and an email.
  broker.createService(
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
  );
  broker.createService(
    createOrderingService(
      { config, logger },
      { expirySweepIntervalMs: 3_600_000, ...options, onStarted: (started) => (runtime = started) },
    ),
  );
  const orderingDb = open(orderingDatabase.url, 'ordering');
  const catalogDb = open(catalogDatabase.url, 'catalog');
  const ticketingDb = open(ticketingDatabase.url, 'ticketing');
  const stop = async () => {
    await broker.stop();
    await orderingDb.destroy();
    await catalogDb.destroy();
    await ticketingDb.destroy();
    for (const database of databases) await database.drop();
  };
  try {
    await broker.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { broker, runtime: runtime!, orderingDb, catalogDb, ticketingDb, stop };
}

function open(url: string, schema: string): Knex {
  return knexFactory({ client: 'pg', connection: url, searchPath: [schema], pool: { min: 0, max: 4 } });
}
