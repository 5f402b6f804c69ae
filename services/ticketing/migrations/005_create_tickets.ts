import type { Knex } from 'knex';
import { TICKET_STATUSES } from '@ticketpro/shared';

export const name = '005_create_tickets';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tickets', (t) => {
    t.increments('id').primary();
    // Orders, users, events and ticket types live in other services' schemas: no foreign keys.
    t.integer('order_id').notNullable();
    t.integer('ticket_type_id').notNullable();
    // Which unit of the order's item this is (1..quantity): the natural key that issues it once.
    t.integer('unit').notNullable();
    t.integer('event_id').notNullable();
    t.integer('user_id').notNullable();
    t.string('seat_number', 20);
    // The random secret inside the signed code, compared when a code is scanned.
    t.binary('secret').notNullable();
    t.text('qr_code').notNullable().unique();
    t.enu('status', [...TICKET_STATUSES]).notNullable();
    t.boolean('checked_in').notNullable().defaultTo(false);
    t.boolean('checked_out').notNullable().defaultTo(false);
    t.timestamp('validated_at', { useTz: true });
    t.integer('validated_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['order_id', 'ticket_type_id', 'unit'], { indexName: 'tickets_order_type_unit_unique' });
  });
  await knex.raw('ALTER TABLE tickets ADD CONSTRAINT tickets_unit_positive CHECK (unit > 0)');
  await knex.raw(
    'ALTER TABLE tickets ADD CONSTRAINT tickets_checked_out_after_in CHECK (checked_in OR NOT checked_out)',
  );
  await knex.raw('CREATE INDEX tickets_by_user ON tickets (user_id, created_at DESC, id DESC)');
  await knex.raw('CREATE INDEX tickets_by_event ON tickets (event_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('tickets');
}
