import type { Knex } from 'knex';
import { PAYMENT_METHODS, PAYMENT_STATUSES } from '@ticketpro/shared';
import { ONE_LIVE_PAYMENT_INDEX, PAYMENT_KINDS, PAYMENT_STATES } from '../src/models/constants';

export const name = '010_create_payment_ledger';

const inList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * The payments table becomes the ledger: every payment attempt and every refund is a row with
 * who recorded it; refunds name the payment they return and, when partial, their tickets.
 * Tickets refunded one by one are kept, so that each is refunded once. Orders gain
 * `partially_refunded` and the `paynow` method.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE orders DROP CONSTRAINT orders_payment_status_check');
  await knex.raw(
    `ALTER TABLE orders ADD CONSTRAINT orders_payment_status_check CHECK (payment_status IN (${inList(PAYMENT_STATUSES)}))`,
  );
  await knex.raw('ALTER TABLE orders DROP CONSTRAINT orders_payment_method_check');
  await knex.raw(
    `ALTER TABLE orders ADD CONSTRAINT orders_payment_method_check CHECK (payment_method IN (${inList(PAYMENT_METHODS)}))`,
  );

  await knex.raw('ALTER TABLE payments DROP CONSTRAINT payments_state_check');
  await knex.raw(
    `ALTER TABLE payments ADD CONSTRAINT payments_state_check CHECK (state IN (${inList(PAYMENT_STATES)}))`,
  );
  await knex.schema.alterTable('payments', (t) => {
    t.string('kind', 10).notNullable().defaultTo('payment');
    // A refund: the payment whose money it returns (none when the order was completed by hand).
    t.bigInteger('refund_of').references('id').inTable('payments');
    // What makes a refund once: the provider's idempotency key too.
    t.string('refund_key', 200).unique();
    // A partial refund's tickets.
    t.specificType('ticket_ids', 'integer[]');
    // Who: the buyer who paid, the organizer who took the cash or refunded; null for a provider's own word.
    t.integer('recorded_by');
    t.integer('settled_by');
    t.timestamp('settled_at', { useTz: true });
    // Paynow: what the buyer is told to do, the phone pushed to, and where the status is polled.
    t.text('instructions');
    t.string('phone', 20);
    t.text('poll_url');
    t.string('note', 500);
  });
  await knex.raw(`ALTER TABLE payments ADD CONSTRAINT payments_kind_check CHECK (kind IN (${inList(PAYMENT_KINDS)}))`);
  await knex.raw(`DROP INDEX ${ONE_LIVE_PAYMENT_INDEX}`);
  await knex.raw(
    `CREATE UNIQUE INDEX ${ONE_LIVE_PAYMENT_INDEX} ON payments (order_id)
       WHERE kind = 'payment' AND state IN ('initiated', 'awaiting', 'captured')`,
  );
  // The poll task's search for payments a provider has yet to settle.
  await knex.raw("CREATE INDEX payments_awaiting ON payments (created_at) WHERE state = 'awaiting'");
  await knex.raw('CREATE INDEX payments_by_order ON payments (order_id, id)');

  await knex.schema.createTable('refunded_tickets', (t) => {
    t.integer('ticket_id').primary();
    t.integer('order_id').notNullable().references('id').inTable('orders');
    t.integer('ticket_type_id').notNullable();
    t.bigInteger('refund_id').notNullable().references('id').inTable('payments');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refunded_tickets');
  await knex.raw('DROP INDEX payments_awaiting');
  await knex.raw('DROP INDEX payments_by_order');
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumns(
      'kind',
      'refund_of',
      'refund_key',
      'ticket_ids',
      'recorded_by',
      'settled_by',
      'settled_at',
      'instructions',
      'phone',
      'poll_url',
      'note',
    );
  });
}
