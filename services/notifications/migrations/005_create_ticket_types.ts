import type { Knex } from 'knex';

export const name = '005_create_ticket_types';

/** The name of each ticket type, for messages and PDFs, projected from catalog's ticket type events. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ticket_types', (t) => {
    t.integer('id').primary();
    t.integer('event_id').notNullable();
    t.text('name').notNullable();
    t.timestamp('as_of', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ticket_types');
}
