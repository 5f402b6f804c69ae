import type { Knex } from 'knex';

export const name = '015_add_transfer_cutoff';

/**
 * The organizer's transfer cut-off: ticket transfers of the event close this many hours before
 * it starts (null: at its start). Ticketing asks for it at each offer and acceptance.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.integer('transfer_cutoff_hours');
  });
  await knex.raw(
    'ALTER TABLE events ADD CONSTRAINT events_transfer_cutoff_range CHECK (transfer_cutoff_hours BETWEEN 0 AND 8760)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('transfer_cutoff_hours');
  });
}
