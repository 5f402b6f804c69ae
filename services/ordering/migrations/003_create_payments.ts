import type { Knex } from 'knex';
import { ONE_LIVE_PAYMENT_INDEX, PAYMENT_ATTEMPT_STATES } from '../src/models/constants';

export const name = '003_create_payments';

/**
 * One row per payment attempt, written before the provider is called, so that money a provider
 * took can always be found again: confirmed, or refunded.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payments', (t) => {
    t.bigIncrements('id').primary();
    t.integer('order_id').notNullable().references('id').inTable('orders');
    t.string('provider', 20).notNullable();
    t.enu('state', [...PAYMENT_ATTEMPT_STATES])
      .notNullable()
      .defaultTo('initiated');
    t.decimal('amount', 12, 2).notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    // The provider's id of the payment (Stripe: the PaymentIntent), once it answered.
    t.string('provider_ref', 255);
    t.string('provider_status', 50);
    t.text('client_secret');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['provider', 'provider_ref']);
  });
  await knex.raw(
    `CREATE UNIQUE INDEX ${ONE_LIVE_PAYMENT_INDEX} ON payments (order_id) WHERE state IN ('initiated', 'captured')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payments');
}
