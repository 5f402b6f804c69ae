import type { Knex } from 'knex';

export const name = '007_add_idempotency_lease';

/**
 * Until when the request that claimed a key counts as alive: it renews the lease while it works,
 * so a repeat can take over the claim of a request whose process died within seconds instead of
 * waiting a fixed minute.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.timestamp('lease_expires_at', { useTz: true });
  });
  // Claims made before the lease existed keep the minute they were promised.
  await knex.raw(
    "UPDATE idempotency_keys SET lease_expires_at = created_at + interval '60 seconds' WHERE response IS NULL",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.dropColumn('lease_expires_at');
  });
}
