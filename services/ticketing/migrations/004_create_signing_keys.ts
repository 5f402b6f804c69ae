import type { Knex } from 'knex';

export const name = '004_create_signing_keys';

/** Ed25519 keys ticket codes are signed with: the newest generation signs, all of them verify. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('signing_keys', (t) => {
    t.text('kid').primary();
    // Unique, so instances starting (or rotating) together agree on one key per generation.
    t.integer('generation').notNullable().unique();
    t.text('private_key_pem').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('signing_keys');
}
