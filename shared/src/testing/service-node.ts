import knexFactory, { type Knex } from 'knex';
import type { Middleware, ServiceBroker, ServiceSchema } from 'moleculer';
import { createBroker, type AuthUser } from '../broker';
import type { Config, ServiceName } from '../config';
import { createLogger } from '../logger';
import type { NodeDeps } from '../node';
import type { PageParams } from '../pagination';
import type { ActionName } from '../contracts/registry';
import { createTestDatabase, testConfig, uniqueName, type TestDatabase } from './index';

export type ConfigOverrides = Parameters<typeof testConfig>[0];

export interface ServiceNodeOptions<S extends ServiceName> {
  /** Names the node's database, namespace and log lines, e.g. the test file's subject. */
  label: string;
  /** The real services to run, each made from the node's configuration and logger. */
  services?: { [K in S]: (deps: NodeDeps) => ServiceSchema };
  /** Services standing in for others across the boundary (`standInService`, `ServiceStandIn`). */
  standIns?: ServiceSchema[];
  /** Configuration beyond the tests' defaults (`testConfig`). */
  config?: ConfigOverrides;
  middlewares?: Middleware[];
}

export interface ServiceNode<S extends ServiceName> {
  broker: ServiceBroker;
  config: Config;
  /** Direct access to each real service's tables (its schema first on the search path). */
  db: Record<S, Knex>;
  /** Stops the broker, closes the direct connections and drops the database the node made. */
  stop(): Promise<void>;
}

/**
 * A started broker running `services` next to `standIns`, as one node of the system, for a test
 * file. With real services it owns one fresh database (unless the configuration names one), in
 * which each service keeps its own schema as in production, so test files run side by side; the
 * namespace is the node's own unless the configuration names one. Everything it opened is undone
 * by `stop()`, or at once if the start fails.
 */
export async function startServiceNode<S extends ServiceName = never>(
  options: ServiceNodeOptions<S>,
): Promise<ServiceNode<S>> {
  const factories = Object.entries(options.services ?? {}) as [S, (deps: NodeDeps) => ServiceSchema][];
  // A database the configuration names is someone else's (a test starting several instances on one).
  const ownsDatabase = factories.length > 0 && options.config?.DATABASE_URL === undefined;
  const database: TestDatabase | undefined = ownsDatabase ? await createTestDatabase(options.label) : undefined;
  const config = testConfig({
    NAMESPACE: uniqueName(options.label),
    DATABASE_URL: database?.url,
    ...options.config,
  });
  const logger = createLogger(options.label, config.LOG_LEVEL);
  const broker = createBroker({ config, role: options.label, logger, middlewares: options.middlewares });
  for (const [, create] of factories) broker.createService(create({ config, logger }));
  for (const standIn of options.standIns ?? []) broker.createService(standIn);
  const db = Object.fromEntries(
    factories.map(([service]) => [service, openSchema(config.DATABASE_URL!, service)]),
  ) as Record<S, Knex>;
  const stop = async () => {
    await broker.stop();
    for (const connection of Object.values<Knex>(db)) await connection.destroy();
    await database?.drop();
  };
  try {
    await broker.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { broker, config, db, stop };
}

/** Call options carrying the caller, as the gateway sends them (`call(node.broker, action, params, as(user))`). */
export function as(caller: AuthUser | undefined) {
  return { meta: { user: caller } };
}

/**
 * Params a test sends malformed on purpose, to see them refused (422): the action's name is still
 * checked against the contracts, its params are not.
 */
export function malformed(params: unknown): never {
  return params as never;
}

/**
 * The actions under a prefix, by their names after it (`ActionsUnder<'ticketing.tickets.'>` is
 * `'list' | 'get' | …`), for a test helper that adds the prefix itself: a renamed action then
 * fails where the helper is called with its old name.
 */
export type ActionsUnder<Prefix extends string> = ActionName extends infer N
  ? N extends `${Prefix}${infer Local}`
    ? Local
    : never
  : never;

/**
 * A list's params leaving the page (`skip`, `limit`) to the contract's defaults, as a caller other
 * than the gateway may: the contract's type asks for both, since the action always receives them
 * filled in. The params that are sent are still checked against the action's.
 */
export function defaultPage<P extends PageParams>(params: NoInfer<Omit<P, keyof PageParams> & Partial<PageParams>>): P {
  return params as P;
}

/** A connection to one service's schema of a test database, as the service itself sees its tables. */
export function openSchema(url: string, schema: string): Knex {
  return knexFactory({ client: 'pg', connection: url, searchPath: [schema], pool: { min: 0, max: 4 } });
}
