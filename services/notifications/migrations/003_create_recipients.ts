import type { Knex } from 'knex';

export const name = '003_create_recipients';

/** Whom messages go to: each user's address and names, projected from identity's user events. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recipients', (t) => {
    // The user id in identity; no sequence of our own.
    t.integer('user_id').primary();
    // Null until an event that carries it arrives (version 1 of identity's events did not), and
    // once the account is deleted.
    t.text('email');
    t.text('firstname').notNullable();
    t.text('surname').notNullable();
    t.boolean('active').notNullable();
    // When identity knew this: an older event arriving late must not overwrite a newer one.
    t.timestamp('as_of', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('recipients');
}
