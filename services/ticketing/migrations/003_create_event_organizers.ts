import type { Knex } from 'knex';

export const name = '003_create_event_organizers';

/** Who organizes each event, projected from catalog's event events (or read-repaired from catalog). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('event_organizers', (t) => {
    // The event id in catalog; no sequence of our own.
    t.integer('event_id').primary();
    t.integer('organizer_id').notNullable();
    // When catalog knew this: an older event arriving late must not overwrite a newer one.
    t.timestamp('as_of', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('event_organizers');
}
