import type { Knex } from 'knex';

export const name = '004_event_capacity';

/**
 * The event's capacity across its ticket types (catalog's event facts from version 2): the seats
 * left are the fewer of what it and the ticket types' quantities leave. Null when the event has
 * none, or was last told of by a version-1 event.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.integer('capacity');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('capacity');
  });
}
