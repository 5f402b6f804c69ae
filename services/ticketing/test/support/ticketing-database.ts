import knexFactory, { type Knex } from 'knex';

/** Direct access to ticketing's tables, for checking what the service stored. */
export function openTicketingDatabase(url: string): Knex {
  return knexFactory({ client: 'pg', connection: url, searchPath: ['ticketing'], pool: { min: 0, max: 4 } });
}
