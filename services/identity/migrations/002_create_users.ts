import type { Knex } from 'knex';
import { ROLES } from '@ticketpro/shared';
import { EMAIL_UNIQUE_INDEX } from '../src/models/constants';

export const name = '002_create_users';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('firstname', 100).notNullable();
    t.string('surname', 100).notNullable();
    t.string('email', 254).notNullable();
    t.text('password_hash').notNullable();
    // Normalised: digits with an optional leading +.
    t.string('phone_number', 16).notNullable();
    t.string('street_address', 200).notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.enu('role', [...ROLES])
      .notNullable()
      .defaultTo('user');
    t.boolean('is_verified').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  // Only live users hold their address, so a deleted account's email can be registered again.
  await knex.raw(`CREATE UNIQUE INDEX ${EMAIL_UNIQUE_INDEX} ON users (lower(email)) WHERE deleted_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
