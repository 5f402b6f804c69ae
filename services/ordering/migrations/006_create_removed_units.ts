import type { Knex } from 'knex';

export const name = '006_create_removed_units';

/**
 * Units taken one by one off pending orders, each under the caller's reference: a retried call
 * finds its reference here and answers the order instead of lowering it twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('removed_units', (t) => {
    t.string('ref', 100).primary();
    t.integer('order_id').notNullable().references('id').inTable('orders');
    t.integer('ticket_type_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('removed_units');
}
