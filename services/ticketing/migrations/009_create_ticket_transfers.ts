import type { Knex } from 'knex';
import { REVOCATION_REASONS, TRANSFER_STATUSES } from '@ticketpro/shared';

export const name = '009_create_ticket_transfers';

/**
 * Ticket transfer: the offers an owner makes, every change of owner (the history), and the codes
 * that no longer admit (a transferred ticket's old code, a refunded ticket's code) for scanners
 * that work offline.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ticket_transfers', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    t.integer('event_id').notNullable();
    t.integer('from_user_id').notNullable();
    // Kept in lower case: the recipient signs in with it in any case.
    t.string('recipient_email', 254).notNullable();
    t.text('message');
    t.enu('status', [...TRANSFER_STATUSES])
      .notNullable()
      .defaultTo('pending');
    t.integer('to_user_id');
    t.boolean('by_admin').notNullable().defaultTo(false);
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('decided_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // One open offer per ticket: a second offer waits for the first to be cancelled or to lapse.
  await knex.raw(
    "CREATE UNIQUE INDEX ticket_transfers_one_pending ON ticket_transfers (ticket_id) WHERE status = 'pending'",
  );

  await knex.schema.createTable('ticket_owner_changes', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    t.integer('from_user_id').notNullable();
    t.integer('to_user_id').notNullable();
    t.integer('transfer_id').notNullable().references('id').inTable('ticket_transfers');
    t.timestamp('changed_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX ticket_owner_changes_by_ticket ON ticket_owner_changes (ticket_id, id)');

  await knex.schema.createTable('revoked_codes', (t) => {
    t.text('qr_code').primary();
    t.integer('ticket_id').notNullable();
    t.integer('event_id').notNullable();
    t.enu('reason', [...REVOCATION_REASONS]).notNullable();
    // The clock at the statement, not the transaction's start: the feed is read by this instant.
    t.timestamp('revoked_at', { useTz: true }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
  });
  await knex.raw('CREATE INDEX revoked_codes_by_time ON revoked_codes (revoked_at, qr_code)');
  await knex.raw('CREATE INDEX revoked_codes_by_event ON revoked_codes (event_id, revoked_at, qr_code)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('revoked_codes');
  await knex.schema.dropTable('ticket_owner_changes');
  await knex.schema.dropTable('ticket_transfers');
}
