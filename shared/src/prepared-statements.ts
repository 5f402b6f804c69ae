import type { Knex } from 'knex';
import PostgresClient from 'knex/lib/dialects/postgres/index.js';

/** The option `prepared` sets on a statement; read by `PreparingPostgresClient`, ignored by PGlite. */
const PREPARED = 'ticketproPrepared';

/**
 * Marks a statement of the checkout's path to be prepared on Postgres: parsed and planned once per
 * pooled connection and run by name afterwards (Postgres keeps its plan and, once five runs show a
 * generic plan is as good, stops planning it), instead of parsed, analysed and planned again on
 * every run as knex's statements are. Each distinct SQL text gets a name of its own, so a
 * statement whose text varies with its input (a list of ids, an optional clause) is prepared once
 * per variant. Only for statements whose result columns are named: Postgres refuses to run a
 * prepared `SELECT *` or `RETURNING *` once a migration changes the table's columns (`cached plan
 * must not change result type`). PGlite runs it as any other statement.
 */
export function prepared<S extends Knex.QueryBuilder | Knex.Raw>(statement: S): S {
  return statement.options({ [PREPARED]: true }) as S;
}

/** Names of prepared statements by their SQL text; bounded by the statements marked `prepared`. */
const preparedNames = new Map<string, string>();

function preparedName(sql: string): string {
  let name = preparedNames.get(sql);
  if (name === undefined) {
    name = `ticketpro_${preparedNames.size + 1}`;
    preparedNames.set(sql, name);
  }
  return name;
}

interface QueryObject {
  sql: string;
  options?: Record<string, unknown>;
}

/** knex's Postgres client, which sends a statement marked `prepared` as a named one (pg prepares it once per connection). */
export class PreparingPostgresClient extends PostgresClient {
  override query(connection: unknown, query: string | QueryObject): unknown {
    if (typeof query === 'object' && query.options?.[PREPARED]) {
      const { [PREPARED]: _marked, ...options } = query.options;
      query.options = { ...options, name: preparedName(query.sql) };
    }
    return super.query(connection, query);
  }
}
