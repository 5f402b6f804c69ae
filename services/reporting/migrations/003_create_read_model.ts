import type { Knex } from 'knex';

export const name = '003_create_read_model';

/**
 * The read model: what reporting keeps of each account, event, ticket type, order, partial
 * refund and ticket, each row as the newest event about it told it (`as_of`). Money is NUMERIC,
 * summed by Postgres, never as floats.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.integer('user_id').primary();
    t.text('firstname').notNullable();
    t.text('surname').notNullable();
    // Null when the event that told it was of a version without it, or the account is deleted.
    t.text('email');
    t.boolean('active').notNullable();
    t.boolean('deleted').notNullable().defaultTo(false);
    // The registration's time; null while only later events are known.
    t.timestamp('registered_at', { useTz: true });
    t.timestamp('as_of', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('events', (t) => {
    t.integer('event_id').primary();
    t.text('event_name').notNullable();
    t.integer('organizer_id').notNullable().index();
    t.timestamp('date', { useTz: true }).notNullable();
    t.boolean('deleted').notNullable().defaultTo(false);
    t.timestamp('as_of', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('ticket_types', (t) => {
    t.integer('id').primary();
    t.integer('event_id').notNullable().index();
    t.text('name').notNullable();
    t.integer('quantity').notNullable();
    t.boolean('deleted').notNullable().defaultTo(false);
    t.timestamp('as_of', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('orders', (t) => {
    t.integer('order_id').primary();
    t.integer('user_id').notNullable();
    t.integer('event_id').notNullable();
    t.text('payment_status').notNullable();
    t.decimal('total_price', 12, 2).notNullable();
    t.text('currency').notNullable();
    // Null when only version-1 events told of the order.
    t.text('payment_method');
    // Units bought: the items' quantities added up.
    t.integer('units').notNullable();
    t.timestamp('created_at', { useTz: true });
    // When it was paid (the earliest event telling it paid) and when it was refunded in full.
    t.timestamp('paid_at', { useTz: true });
    t.timestamp('refunded_at', { useTz: true });
    t.timestamp('as_of', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX orders_paid ON orders (paid_at) WHERE paid_at IS NOT NULL');
  await knex.raw('CREATE INDEX orders_by_event ON orders (event_id, order_id)');

  // Each partial refund once (`refund_id` is ordering's ledger row): its money and tickets.
  await knex.schema.createTable('partial_refunds', (t) => {
    t.integer('refund_id').primary();
    t.integer('order_id').notNullable().index();
    t.decimal('amount', 12, 2).notNullable();
    t.integer('tickets').notNullable();
    t.timestamp('refunded_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('tickets', (t) => {
    t.integer('ticket_id').primary();
    t.integer('order_id').notNullable();
    t.integer('event_id').notNullable();
    t.integer('ticket_type_id').notNullable();
    t.text('seat_number');
    t.text('status').notNullable();
    // Who holds it after a transfer, and as of which transfer; null: the order's buyer. Kept
    // apart from `as_of`: an older check-in arriving after a newer transfer must not undo it.
    t.integer('holder_id');
    t.timestamp('holder_as_of', { useTz: true });
    t.timestamp('checked_in_at', { useTz: true });
    t.timestamp('as_of', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX tickets_by_event ON tickets (event_id, ticket_id)');

  // One row: the newest event time the read model holds, the `as_of` of every answer.
  await knex.schema.createTable('projection_clock', (t) => {
    t.integer('id').primary();
    t.timestamp('as_of', { useTz: true }).notNullable();
  });
  await knex('projection_clock').insert({ id: 1, as_of: new Date(0) });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['projection_clock', 'tickets', 'partial_refunds', 'orders', 'ticket_types', 'events', 'users']) {
    await knex.schema.dropTable(table);
  }
}
