import type { Knex } from 'knex';
import { WAITLIST_OPEN_ENTRY_UNIQUE_INDEX, WAITLIST_STATES } from '../src/models/constants';

export const name = '014_create_waitlist_entries';

/**
 * Users waiting for a sold-out ticket type, in join order (`id`). An offer sets units aside for
 * an entry: they are counted in the ticket type's `held_quantity` while it is open, so the CHECK
 * on the counters covers them as it covers holds.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('waitlist_entries', (t) => {
    t.bigIncrements('id').primary();
    t.integer('ticket_type_id').notNullable().references('id').inTable('ticket_types');
    // A user in identity's schema: no foreign key across services.
    t.integer('user_id').notNullable();
    t.integer('quantity').notNullable();
    t.enu('state', [...WAITLIST_STATES])
      .notNullable()
      .defaultTo('waiting');
    t.integer('offered_quantity');
    t.timestamp('offered_at', { useTz: true });
    t.timestamp('offer_expires_at', { useTz: true });
    // The order that claimed the offer (ordering's id).
    t.integer('order_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('ALTER TABLE waitlist_entries ADD CONSTRAINT waitlist_quantity_positive CHECK (quantity > 0)');
  await knex.raw(
    `ALTER TABLE waitlist_entries ADD CONSTRAINT waitlist_offer_complete
       CHECK (state <> 'offered' OR (offered_quantity > 0 AND offer_expires_at IS NOT NULL))`,
  );
  await knex.raw(
    `CREATE UNIQUE INDEX ${WAITLIST_OPEN_ENTRY_UNIQUE_INDEX} ON waitlist_entries (ticket_type_id, user_id)
       WHERE state IN ('waiting', 'offered')`,
  );
  // The line of one ticket type, in join order; and its open offers, summed on every availability read.
  await knex.raw("CREATE INDEX waitlist_waiting ON waitlist_entries (ticket_type_id, id) WHERE state = 'waiting'");
  await knex.raw(
    "CREATE INDEX waitlist_offered ON waitlist_entries (ticket_type_id, offer_expires_at) WHERE state = 'offered'",
  );
  // The sweep's search for lapsed offers.
  await knex.raw(
    "CREATE INDEX waitlist_offered_by_expiry ON waitlist_entries (offer_expires_at) WHERE state = 'offered'",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('waitlist_entries');
}
