import type { Knex } from 'knex';
import { PROMO_CODE_DISCOUNT_CHECK, PROMO_CODE_UNIQUE_INDEX, PROMO_CODE_WINDOW_CHECK } from '../src/models/constants';

export const name = '012_create_promo_codes';

/**
 * An event's promo codes, and on each hold the code its order used and the discount of its
 * line. A code's uses are not counted on the code: they are the orders whose holds carry it and
 * are live or sold, so a hold released or lapsed gives its use back with its units, without a
 * counter to keep in step.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('promo_codes', (t) => {
    t.increments('id').primary();
    t.integer('event_id').notNullable().references('id').inTable('events');
    t.string('code', 40).notNullable();
    t.decimal('percent_off', 5, 2);
    t.decimal('amount_off', 12, 2);
    t.specificType('ticket_type_ids', 'integer[]');
    t.timestamp('starts_at', { useTz: true });
    t.timestamp('ends_at', { useTz: true });
    t.integer('max_uses');
    t.integer('max_uses_per_user');
    t.specificType('unlocks_ticket_type_ids', 'integer[]').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE promo_codes
    ADD CONSTRAINT ${PROMO_CODE_DISCOUNT_CHECK} CHECK ((percent_off IS NULL) <> (amount_off IS NULL)),
    ADD CONSTRAINT promo_codes_percent_range CHECK (percent_off > 0 AND percent_off <= 100),
    ADD CONSTRAINT promo_codes_amount_range CHECK (amount_off > 0),
    ADD CONSTRAINT promo_codes_uses_positive CHECK (max_uses > 0 AND max_uses_per_user > 0),
    ADD CONSTRAINT ${PROMO_CODE_WINDOW_CHECK} CHECK (starts_at < ends_at)`);
  await knex.raw(
    `CREATE UNIQUE INDEX ${PROMO_CODE_UNIQUE_INDEX} ON promo_codes (event_id, lower(code)) WHERE deleted_at IS NULL`,
  );
  await knex.schema.alterTable('holds', (t) => {
    t.integer('promo_code_id').references('id').inTable('promo_codes');
    t.decimal('discount', 12, 2).notNullable().defaultTo(0);
  });
  // A code's uses, counted under its lock on every hold that redeems it.
  await knex.raw('CREATE INDEX holds_by_promo_code ON holds (promo_code_id, user_id) WHERE promo_code_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('holds', (t) => {
    t.dropColumn('promo_code_id');
    t.dropColumn('discount');
  });
  await knex.schema.dropTable('promo_codes');
}
