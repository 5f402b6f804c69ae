import type { Knex } from 'knex';

export const name = '005_create_added_units';

/**
 * Units added one by one to pending orders, each under the caller's reference: a retried call
 * finds its reference here and answers the unit it added instead of raising the order twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('added_units', (t) => {
    t.string('ref', 100).primary();
    t.integer('order_id').notNullable().references('id').inTable('orders');
    t.integer('ticket_type_id').notNullable();
    // Which unit of the order's item the added one is (1-based).
    t.integer('unit').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('added_units');
}
