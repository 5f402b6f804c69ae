import type { Knex } from 'knex';

export const name = '004_create_idempotency_keys';

/** The first answer to each (user, Idempotency-Key), replayed to repeats for 24 hours. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.integer('user_id').notNullable();
    t.string('key', 255).notNullable();
    // SHA-256 of the action and its params: the same key with another request is refused.
    t.string('request_hash', 64).notNullable();
    // Null while the first request with the key is still being answered.
    t.jsonb('response');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['user_id', 'key']);
  });
  await knex.raw('CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
}
