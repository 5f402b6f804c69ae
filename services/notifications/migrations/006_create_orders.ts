import type { Knex } from 'knex';

export const name = '006_create_orders';

/** Each order as its latest event told it: whose, for which event, its state, items and hold. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orders', (t) => {
    t.integer('order_id').primary();
    t.integer('user_id').notNullable();
    t.integer('event_id').notNullable();
    t.text('payment_status').notNullable();
    // Decimal text as ordering sends it: shown, never computed with.
    t.text('total_price').notNullable();
    t.text('currency').notNullable();
    // Null when the event that told it was of version 1.
    t.text('payment_method');
    t.timestamp('expires_at', { useTz: true });
    t.jsonb('items').notNullable();
    t.timestamp('as_of', { useTz: true }).notNullable();
  });
  // Reminders: the paid orders of an event.
  await knex.raw('CREATE INDEX orders_by_event ON orders (event_id, payment_status)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('orders');
}
