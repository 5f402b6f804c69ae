import type { Knex } from 'knex';

export const name = '011_add_event_capacity';

/**
 * An event's seats across all its ticket types (500 seats sold as Early, Regular and VIP); null
 * for no limit beyond each type's own quantity. Sold and held units are summed from the ticket
 * types when a hold checks it, under the event's row lock, so there is no second counter to
 * keep in step with theirs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.integer('capacity');
  });
  await knex.raw('ALTER TABLE events ADD CONSTRAINT events_capacity_positive CHECK (capacity > 0)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('capacity');
  });
}
