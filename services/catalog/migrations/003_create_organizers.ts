import type { Knex } from 'knex';

export const name = '003_create_organizers';

/** Organizer names, projected from identity's user events (or read-repaired from identity). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organizers', (t) => {
    // The user id in identity; no sequence of our own.
    t.integer('id').primary();
    t.string('firstname', 100).notNullable();
    t.string('surname', 100).notNullable();
    // When identity knew these names: an older event arriving late must not overwrite a newer one.
    t.timestamp('as_of', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('organizers');
}
