import type { Knex } from 'knex';

export const name = '008_create_removed_units';

/**
 * Units given back one by one by held orders, each under the caller's reference: a retried call
 * finds its reference here and gets the first answer again instead of giving back a second unit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('removed_units', (t) => {
    t.string('ref', 100).primary();
    t.integer('order_id').notNullable();
    t.integer('ticket_type_id').notNullable();
    // The order's units of the type once this one was given back: the answer a retry gets.
    t.integer('quantity').notNullable();
    t.decimal('unit_price', 12, 2).notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('removed_units');
}
