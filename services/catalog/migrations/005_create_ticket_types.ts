import type { Knex } from 'knex';
import { SALES_WINDOW_CHECK } from '../src/models/constants';

export const name = '005_create_ticket_types';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ticket_types', (t) => {
    t.increments('id').primary();
    t.integer('event_id').notNullable().references('id').inTable('events');
    t.string('name', 100).notNullable();
    t.text('description').notNullable();
    // Exact money: never a binary float.
    t.decimal('price', 12, 2).notNullable();
    t.specificType('currency', 'char(3)').notNullable().defaultTo('USD');
    t.integer('quantity').notNullable();
    t.integer('sold_quantity').notNullable().defaultTo(0);
    // Units of holds in state `held`, expired or not; reads count only the live ones.
    t.integer('held_quantity').notNullable().defaultTo(0);
    t.timestamp('sales_start', { useTz: true });
    t.timestamp('sales_end', { useTz: true });
    t.integer('max_per_order');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE ticket_types
    ADD CONSTRAINT ticket_types_price_range CHECK (price >= 0),
    ADD CONSTRAINT ticket_types_quantity_positive CHECK (quantity > 0),
    ADD CONSTRAINT ticket_types_max_per_order_positive CHECK (max_per_order > 0),
    ADD CONSTRAINT ticket_types_inventory CHECK (
      sold_quantity >= 0 AND held_quantity >= 0 AND sold_quantity + held_quantity <= quantity
    ),
    ADD CONSTRAINT ${SALES_WINDOW_CHECK} CHECK (sales_start < sales_end)`);
  await knex.raw(
    'CREATE INDEX ticket_types_live_by_event ON ticket_types (event_id, price, id) WHERE deleted_at IS NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ticket_types');
}
