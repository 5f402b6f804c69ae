import type { Knex } from 'knex';
import { EVENT_NAME_UNIQUE_INDEX } from '../src/models/constants';

export const name = '004_create_events';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (t) => {
    t.increments('id').primary();
    t.string('event_name', 200).notNullable();
    t.text('description').notNullable();
    // A user id in identity: another service's row, so no foreign key.
    t.integer('organizer_id').notNullable();
    t.string('location', 200).notNullable();
    t.timestamp('date', { useTz: true }).notNullable();
    t.string('image', 500);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  // Only live events hold their name, so a deleted event's name can be used again.
  await knex.raw(
    `CREATE UNIQUE INDEX ${EVENT_NAME_UNIQUE_INDEX} ON events (lower(event_name)) WHERE deleted_at IS NULL`,
  );
  await knex.raw('CREATE INDEX events_live_by_date ON events (date, id) WHERE deleted_at IS NULL');
  await knex.raw('CREATE INDEX events_live_by_organizer ON events (organizer_id) WHERE deleted_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('events');
}
