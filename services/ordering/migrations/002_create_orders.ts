import type { Knex } from 'knex';
import { PAYMENT_METHODS, PAYMENT_STATUSES } from '@ticketpro/shared';

export const name = '002_create_orders';

/** Orders and their items. Ids are taken from the sequence before catalog holds the units. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orders', (t) => {
    t.increments('id').primary();
    // Users and events live in identity's and catalog's schemas: no foreign keys across services.
    t.integer('user_id').notNullable();
    t.integer('event_id').notNullable();
    t.timestamp('order_date', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Exact money: never a binary float.
    t.decimal('total_price', 12, 2).notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.enu('payment_method', [...PAYMENT_METHODS]).notNullable();
    t.enu('payment_status', [...PAYMENT_STATUSES])
      .notNullable()
      .defaultTo('pending');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  await knex.raw('ALTER TABLE orders ADD CONSTRAINT orders_total_price_positive CHECK (total_price >= 0)');
  // A user's orders newest first, and the sweep's search for pending orders past their expiry.
  await knex.raw('CREATE INDEX orders_by_user ON orders (user_id, order_date DESC, id DESC) WHERE deleted_at IS NULL');
  await knex.raw("CREATE INDEX orders_pending_by_expiry ON orders (expires_at) WHERE payment_status = 'pending'");

  await knex.schema.createTable('order_items', (t) => {
    t.integer('order_id').notNullable().references('id').inTable('orders');
    t.integer('ticket_type_id').notNullable();
    t.integer('quantity').notNullable();
    t.decimal('unit_price', 12, 2).notNullable();
    t.primary(['order_id', 'ticket_type_id']);
  });
  await knex.raw('ALTER TABLE order_items ADD CONSTRAINT order_items_quantity_positive CHECK (quantity > 0)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('order_items');
  await knex.schema.dropTable('orders');
}
