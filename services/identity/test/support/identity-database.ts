import knexFactory, { type Knex } from 'knex';

/** Direct access to identity's tables, for checking what the service stored. */
export function openIdentityDatabase(url: string): Knex {
  return knexFactory({ client: 'pg', connection: url, searchPath: ['identity'], pool: { min: 0, max: 2 } });
}
