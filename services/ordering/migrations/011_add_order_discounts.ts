import type { Knex } from 'knex';

export const name = '011_add_order_discounts';

/**
 * The promo code an order used and what it took off: per item (each line's discount, rounded
 * by catalog when it held the units) and in all. `total_price` stays what is to be paid.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.decimal('discount', 12, 2).notNullable().defaultTo(0);
    t.string('promo_code', 40);
  });
  await knex.schema.alterTable('order_items', (t) => {
    t.decimal('discount', 12, 2).notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('discount');
    t.dropColumn('promo_code');
  });
  await knex.schema.alterTable('order_items', (t) => {
    t.dropColumn('discount');
  });
}
