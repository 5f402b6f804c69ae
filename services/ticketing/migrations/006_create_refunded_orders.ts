import type { Knex } from 'knex';

export const name = '006_create_refunded_orders';

/**
 * Orders known to be refunded. Events of one order can be handled out of order (a redelivery, a
 * second instance): a payment told after its refund must not issue valid tickets.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('refunded_orders', (t) => {
    t.integer('order_id').primary();
    t.timestamp('refunded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refunded_orders');
}
