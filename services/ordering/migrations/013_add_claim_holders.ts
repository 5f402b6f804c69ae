import type { Knex } from 'knex';

export const name = '013_add_claim_holders';

/**
 * Who holds a claim, so that a repeat need not wait out the lease of a request whose process
 * died: the node that holds an Idempotency-Key's claim or asks the provider for a payment (a
 * repeat that finds that node gone takes over at once), and a token per claim of a key, which
 * the work done under it must still match to commit (a request that was taken for dead but was
 * only slow then commits nothing). `idempotency_claim_held` aborts the statement it is part of
 * when its argument is false: the order, its items and its event are one statement, and a
 * statement can only be stopped whole by an error.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.uuid('claim_token');
    t.string('claimed_by', 255);
  });
  await knex.schema.alterTable('payments', (t) => {
    t.string('charging_by', 255);
  });
  await knex.raw(`
    CREATE FUNCTION idempotency_claim_held(held boolean) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      IF NOT held THEN
        RAISE EXCEPTION 'the Idempotency-Key''s claim was taken over by another request' USING ERRCODE = 'TPK01';
      END IF;
      RETURN true;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION idempotency_claim_held(boolean)');
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumn('charging_by');
  });
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.dropColumns('claim_token', 'claimed_by');
  });
}
