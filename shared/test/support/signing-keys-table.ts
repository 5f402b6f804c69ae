import type { Knex } from 'knex';
import { SIGNING_KEYS_TABLE, type Migration } from '@ticketpro/shared';

/** The keyring's table as identity's and ticketing's migrations leave it, for a schema of a test's own. */
export const signingKeysTable: Migration = {
  name: '001_signing_keys',
  up: async (knex: Knex) => {
    await knex.schema.createTable(SIGNING_KEYS_TABLE, (t) => {
      t.text('kid').primary();
      t.text('purpose').notNullable();
      t.integer('generation').notNullable();
      t.text('private_key_pem').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.unique(['purpose', 'generation']);
    });
  },
  down: async () => undefined,
};
