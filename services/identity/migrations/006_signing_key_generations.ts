import type { Knex } from 'knex';

export const name = '006_signing_key_generations';

/**
 * Signing keys move to the shared keyring (shared/src/keyring.ts): one key per purpose becomes
 * generation 1 of that purpose, so the key can be rotated. The stored key stays as it is, and
 * so does its `kid`: tokens signed before keep verifying.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (t) => {
    t.integer('generation').notNullable().defaultTo(1);
  });
  await knex.schema.alterTable('signing_keys', (t) => {
    t.dropPrimary();
    t.dropUnique(['kid']);
    t.primary(['kid']);
    t.unique(['purpose', 'generation']);
  });
  await knex.raw('ALTER TABLE signing_keys ALTER COLUMN generation DROP DEFAULT');
}

/** Back to one key per purpose, which only holds while no key was rotated. */
export async function down(knex: Knex): Promise<void> {
  const rotated = await knex('signing_keys').where('generation', '>', 1).first('kid');
  if (rotated) throw new Error('A signing key was rotated: going back would lose keys that still verify tokens');
  await knex.schema.alterTable('signing_keys', (t) => {
    t.dropUnique(['purpose', 'generation']);
    t.dropPrimary();
    t.primary(['purpose']);
    t.unique(['kid']);
    t.dropColumn('generation');
  });
}
