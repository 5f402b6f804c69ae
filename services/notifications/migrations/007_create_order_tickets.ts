import type { Knex } from 'knex';

export const name = '007_create_order_tickets';

/**
 * The tickets of each paid order with their signed codes, from ticketing's
 * `ticketing.order_tickets.issued`; a ticket voided later (refund) is marked so by
 * `ticketing.ticket.voided`, and is neither delivered again nor printed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_tickets', (t) => {
    t.integer('ticket_id').primary();
    t.integer('order_id').notNullable().index();
    t.integer('ticket_type_id').notNullable();
    t.text('seat_number');
    t.text('qr_code').notNullable();
    t.boolean('void').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('order_tickets');
}
