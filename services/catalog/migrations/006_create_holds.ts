import type { Knex } from 'knex';
import { HOLD_STATES } from '../src/models/constants';

export const name = '006_create_holds';

/** Units an order holds (then has bought) of one ticket type. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('holds', (t) => {
    t.bigIncrements('id').primary();
    // An order in ordering's schema: no foreign key across services.
    t.integer('order_id').notNullable();
    t.integer('ticket_type_id').notNullable().references('id').inTable('ticket_types');
    t.integer('quantity').notNullable();
    // The price when the units were held: a later price change does not touch this order.
    t.decimal('unit_price', 12, 2).notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.enu('state', [...HOLD_STATES])
      .notNullable()
      .defaultTo('held');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['order_id', 'ticket_type_id']);
  });
  await knex.raw('ALTER TABLE holds ADD CONSTRAINT holds_quantity_positive CHECK (quantity > 0)');
  // Live-hold sums per ticket type, and the sweep's search for expired holds.
  await knex.raw("CREATE INDEX holds_held_by_ticket_type ON holds (ticket_type_id, expires_at) WHERE state = 'held'");
  await knex.raw("CREATE INDEX holds_held_by_expiry ON holds (expires_at) WHERE state = 'held'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('holds');
}
