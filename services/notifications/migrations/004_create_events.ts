import type { Knex } from 'knex';

export const name = '004_create_events';

/** What messages and ticket PDFs say about each event, projected from catalog's event events. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (t) => {
    t.integer('event_id').primary();
    t.text('event_name').notNullable();
    t.text('location').notNullable();
    t.timestamp('date', { useTz: true }).notNullable();
    t.integer('organizer_id').notNullable();
    // A deleted event gets no reminders; its facts stay for the messages already queued.
    t.boolean('deleted').notNullable().defaultTo(false);
    t.timestamp('as_of', { useTz: true }).notNullable();
  });
  // The reminder sweep looks for events starting soon.
  await knex.raw('CREATE INDEX events_by_date ON events (date) WHERE NOT deleted');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('events');
}
