import type { Knex } from 'knex';

export const name = '004_create_signing_keys';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('signing_keys', (t) => {
    // One key per purpose: the primary key lets instances starting together agree on one.
    t.text('purpose').primary();
    t.text('kid').notNullable().unique();
    t.text('private_key_pem').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('signing_keys');
}
