import type { Knex } from 'knex';

export const name = '007_signing_key_purposes';

/**
 * Ticket-code keys move to the shared keyring (shared/src/keyring.ts), which keeps each purpose's
 * generations apart: the keys stored so far are `ticket-code` keys, every generation kept.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (t) => {
    t.text('purpose').notNullable().defaultTo('ticket-code');
  });
  await knex.schema.alterTable('signing_keys', (t) => {
    t.dropUnique(['generation']);
    t.unique(['purpose', 'generation']);
  });
  await knex.raw('ALTER TABLE signing_keys ALTER COLUMN purpose DROP DEFAULT');
}

export async function down(knex: Knex): Promise<void> {
  const others = await knex('signing_keys').whereNot('purpose', 'ticket-code').first('kid');
  if (others) throw new Error('signing_keys holds keys of another purpose than ticket codes');
  await knex.schema.alterTable('signing_keys', (t) => {
    t.dropUnique(['purpose', 'generation']);
    t.unique(['generation']);
    t.dropColumn('purpose');
  });
}
