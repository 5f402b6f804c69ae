import type { Knex } from 'knex';

export const name = '012_add_payment_attempt_details';

/**
 * What a repeated pay needs to answer as the first did, and to be told apart from another pay:
 * the order's payment method when the attempt started (EcoCash and OneMoney both go through
 * Paynow), the web checkout's redirect URL (where the buyer pays; its owner may ask for it again),
 * and the lease of the request calling the provider (a repeat waits for it, or takes the attempt
 * over once it ran out because that request died).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.string('method', 20);
    t.text('redirect_url');
    t.timestamp('charging_until', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumns('method', 'redirect_url', 'charging_until');
  });
}
