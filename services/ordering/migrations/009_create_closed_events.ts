import type { Knex } from 'knex';

export const name = '009_create_closed_events';

/**
 * Events catalog deleted (in catalog's schema: no foreign key). Their pending orders are
 * cancelled, also one placed while the deletion was under way, which the expiry sweep finds here.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('closed_events', (t) => {
    t.integer('event_id').primary();
    t.timestamp('closed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // The pending orders of one event, for cancelling them with it.
  await knex.raw("CREATE INDEX orders_pending_by_event ON orders (event_id) WHERE payment_status = 'pending'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX orders_pending_by_event');
  await knex.schema.dropTable('closed_events');
}
