import type { Knex } from 'knex';

export const name = '013_add_hidden_ticket_types';

/**
 * A hidden ticket type is not listed publicly and not sold but to an order whose promo code
 * unlocks it (`promo_codes.unlocks_ticket_type_ids`): presale, press or crew tickets.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ticket_types', (t) => {
    t.boolean('hidden').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ticket_types', (t) => {
    t.dropColumn('hidden');
  });
}
