import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { openEmbeddedPostgres } from './embedded-postgres';
import { lockFor } from './advisory-lock';

// Postgres returns BIGINT and NUMERIC as strings to keep precision; counts and ids here fit in a
// JS number, and money is handled as NUMERIC strings by the services that own it.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export interface DatabaseOptions {
  /** Schema owned by the service; also its search_path. */
  schema: string;
  /** Postgres URL. Unset: embedded PGlite under `dataDir/<schema>`. */
  url?: string;
  dataDir: string;
  migrations: Migration[];
  poolMax?: number;
}

export type Database = Knex;

/** What both drivers' connections (pg's `Client`, PGlite) answer a statement with. */
interface DriverConnection {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The part of knex's client (typed `any` by knex) that lends out its pool's connections. */
interface ConnectionLender {
  acquireConnection(): Promise<DriverConnection>;
  releaseConnection(connection: DriverConnection): Promise<void>;
}

/**
 * One statement on a connection of the database's own pool, straight through its driver (pg, or
 * PGlite in the embedded mode), with `$1`-style parameters; the rows come as the driver parses
 * them. For the hottest reads: knex's runner and its query and response processing cost more
 * than such a statement's round trip.
 */
export async function queryRows<Row>(db: Database, text: string, values: unknown[]): Promise<Row[]> {
  const lender = db.client as ConnectionLender;
  const connection = await lender.acquireConnection();
  try {
    return (await connection.query(text, values)).rows as Row[];
  } finally {
    await lender.releaseConnection(connection);
  }
}

/**
 * Opens the service's database and brings its schema up to date. Several instances of one
 * service may start at once against one Postgres: an advisory lock makes them migrate one at
 * a time instead of tripping over knex's migration lock.
 */
export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  const knex = options.url ? openPostgres(options) : await openPglite(options);
  try {
    await migrate(knex, options);
  } catch (err) {
    await knex.destroy();
    throw err;
  }
  return knex;
}

function openPostgres({ url, schema, poolMax }: DatabaseOptions): Knex {
  return knexFactory({
    client: 'pg',
    connection: url,
    searchPath: [schema, 'public'],
    pool: { min: 0, max: Math.max(2, poolMax ?? 10) },
    acquireConnectionTimeout: 10_000,
  });
}

/** Loaded only here, so that processes on a real Postgres never load PGlite. */
async function openPglite({ dataDir, schema }: DatabaseOptions): Promise<Knex> {
  const [{ default: ClientPgLite }, pglite] = await Promise.all([
    import('knex-pglite'),
    openEmbeddedPostgres(dataDir, schema),
  ]);
  return knexFactory({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: { pglite },
    searchPath: [schema, 'public'],
  } as Knex.Config);
}

async function migrate(knex: Knex, { schema, migrations, url }: DatabaseOptions): Promise<void> {
  const config: Knex.MigratorConfig = {
    schemaName: schema,
    tableName: 'knex_migrations',
    migrationSource: {
      getMigrations: async () => migrations,
      getMigrationName: (m: Migration) => m.name,
      getMigration: async (m: Migration) => m,
    },
  };
  if (!url) {
    // PGlite has one connection and one process: nothing to race against.
    await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
    await knex.migrate.latest(config);
    return;
  }
  await knex.transaction(async (lockHolder) => {
    await lockFor(lockHolder, `${schema}.migrations`, 0);
    // The lock's transaction stays open; the work itself runs on other pooled connections.
    await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
    await knex.migrate.latest(config);
  });
}
