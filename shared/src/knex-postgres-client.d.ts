/**
 * knex's own Postgres client, the class `client: 'pg'` stands for (knex-pglite extends it too).
 * knex's types declare only the base class it extends.
 */
declare module 'knex/lib/dialects/postgres/index.js' {
  import type { Knex } from 'knex';

  export default class PostgresClient extends Knex.Client {}
}
