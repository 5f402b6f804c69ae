import type { Knex } from 'knex';

export const name = '009_add_hold_holders';

/**
 * Whose hold each is (the order's owner, a user in identity's schema: no foreign key), so that
 * what one user holds unpaid can be limited. Holds from before have none and count for nobody.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('holds', (t) => {
    t.integer('user_id');
  });
  // A user's live holds, summed on every hold they take.
  await knex.raw("CREATE INDEX holds_held_by_user ON holds (user_id, expires_at) WHERE state = 'held'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('holds', (t) => {
    t.dropColumn('user_id');
  });
}
