import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { openEmbeddedPostgres } from './embedded-postgres';
import { lockFor } from './advisory-lock';
import { DEFAULT_DATABASE_ACQUIRE_TIMEOUT_MS } from './config';
import { PreparingPostgresClient } from './prepared-statements';

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
  /** How long a statement waits for a free pooled connection (knex then throws `KnexTimeoutError`, a 503). */
  acquireTimeoutMs?: number;
}

export type Database = Knex;

/** A statement run often: `text` with `$1`-style parameters, and a name unique in the service. */
export interface NamedStatement {
  name: string;
  text: string;
}

/** What both drivers' connections (pg's `Client`, PGlite) answer a statement with. */
interface DriverConnection {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A connection `withPooledConnection` lends: pg's `Client` on Postgres, PGlite's in embedded mode. */
export type PooledConnection = DriverConnection | pg.Client;

/** The part of knex's client (typed `any` by knex) that lends out its pool's connections. */
interface ConnectionLender {
  acquireConnection(): Promise<PooledConnection>;
  releaseConnection(connection: PooledConnection): Promise<void>;
}

/**
 * One statement on a connection of the database's own pool, straight through its driver; the rows
 * come as the driver parses them. For the hottest reads: knex's runner and its query and response
 * processing cost more than such a statement's round trip. On Postgres the statement is prepared
 * by name once per connection, so neither Postgres nor pg parses and plans it again on each run
 * (behind PgBouncer in transaction mode this needs PgBouncer 1.21 or later with
 * `max_prepared_statements` set); PGlite, one connection in this process, runs it as text.
 */
export async function queryRows<Row>(db: Database, statement: NamedStatement, values: unknown[]): Promise<Row[]> {
  return withPooledConnection(db, async (connection) => (await runNamed(connection, statement, values)) as Row[]);
}

/** A named statement on a connection `withPooledConnection` lent: prepared on Postgres, as text on PGlite. */
export async function runNamed(
  connection: PooledConnection,
  statement: NamedStatement,
  values: unknown[],
): Promise<unknown[]> {
  if (connection instanceof pg.Client) return rowsByCallback(connection, { ...statement, values });
  return (await connection.query(statement.text, values)).rows;
}

/**
 * pg's callback form, as knex calls it, rather than the promise `client.query` returns: under a
 * steady read load, every statement run through the promise form (its query, result and rows, and
 * so the whole read waiting on it) survived two scavenges and was promoted to old space: 0.8–1.2
 * KB per read in catalog and the embedded process at 500 reads/s, old space growing 24–38 MB a
 * minute towards the next mark-compact; through the callback form 0.01–0.08 KB
 * (docs/PERFORMANCE.md, issue 14 ninth pass).
 */
function rowsByCallback(client: pg.Client, query: pg.QueryConfig): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    client.query(query, (err: Error | null, result: pg.QueryResult) => (err ? reject(err) : resolve(result.rows)));
  });
}

/**
 * Runs `work` on one connection of the database's own pool, lent for as long as it runs: for
 * statements that must share a session (its advisory locks) without sharing a transaction.
 */
export async function withPooledConnection<T>(
  db: Database,
  work: (connection: PooledConnection) => Promise<T>,
): Promise<T> {
  const lender = db.client as ConnectionLender;
  const connection = await lender.acquireConnection();
  try {
    return await work(connection);
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
  const knex = options.url ? knexFactory(postgresConfig(options)) : await openPglite(options);
  try {
    await migrate(knex, options);
  } catch (err) {
    await knex.destroy();
    throw err;
  }
  return knex;
}

/**
 * A connection pool to a service's Postgres schema as it is, migrating nothing, for operators'
 * commands: knex's own warnings (a failed connection, with its stack) are left out, since the
 * command reports the error it ends with.
 */
export function connectToSchema(url: string, schema: string): Database {
  const quiet = () => undefined;
  return knexFactory({ ...postgresConfig({ url, schema, poolMax: 2 }), log: { warn: quiet, error: quiet } });
}

function postgresConfig({
  url,
  schema,
  poolMax,
  acquireTimeoutMs = DEFAULT_DATABASE_ACQUIRE_TIMEOUT_MS,
}: Pick<DatabaseOptions, 'url' | 'schema' | 'poolMax' | 'acquireTimeoutMs'>): Knex.Config {
  return {
    client: PreparingPostgresClient,
    connection: url,
    searchPath: [schema, 'public'],
    pool: { min: 0, max: Math.max(2, poolMax ?? 10) },
    acquireConnectionTimeout: acquireTimeoutMs,
  };
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
