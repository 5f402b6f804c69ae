import type { Knex } from 'knex';

export const name = '005_add_token_versions';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    // Raised when the account is deleted, deactivated or changes role; access tokens carry the
    // version they were signed with, and gateways refuse older ones.
    t.integer('token_version').notNullable().defaultTo(0);
    t.timestamp('tokens_revoked_at', { useTz: true });
  });
  // A starting gateway asks for the revocations of the last minutes only.
  await knex.raw(
    'CREATE INDEX users_tokens_revoked_at ON users (tokens_revoked_at) WHERE tokens_revoked_at IS NOT NULL',
  );
  await knex.raw('CREATE INDEX refresh_tokens_revoked_at ON refresh_tokens (revoked_at) WHERE revoked_at IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX refresh_tokens_revoked_at');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('tokens_revoked_at');
    t.dropColumn('token_version');
  });
}
