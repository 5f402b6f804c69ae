import type { Knex } from 'knex';

export const name = '008_create_refunded_tickets';

/**
 * Tickets voided by a partial refund. A refund asked again after it was cut short (tickets void,
 * money not yet back) finds its tickets here and goes on, where a ticket voided otherwise (a
 * cancelled reservation) is refused.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('refunded_tickets', (t) => {
    t.integer('ticket_id').primary();
    t.integer('order_id').notNullable();
    t.timestamp('refunded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refunded_tickets');
}
