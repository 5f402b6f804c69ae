import type { Knex } from 'knex';

export const name = '010_create_restocked_units';

/**
 * Sold units put back on sale one by one (a partial refund), each under the caller's reference:
 * a retried call finds its reference here and returns nothing twice, and a later restock of the
 * whole order counts them as already back.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('restocked_units', (t) => {
    t.string('ref', 100).primary();
    t.integer('order_id').notNullable();
    t.integer('ticket_type_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['order_id', 'ticket_type_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('restocked_units');
}
