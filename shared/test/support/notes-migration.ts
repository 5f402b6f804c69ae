import type { Knex } from 'knex';
import type { Migration } from '@ticketpro/shared';

export interface CountingMigration extends Migration {
  /** How often `up` ran in this process. */
  runs: number;
}

/** A migration that creates `notes` and counts how often it ran. */
export function notesMigration(): CountingMigration {
  return {
    name: '001_notes',
    runs: 0,
    async up(knex: Knex) {
      this.runs += 1;
      await knex.schema.createTable('notes', (t) => {
        t.increments('id');
        t.text('body').notNullable();
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('notes');
    },
  };
}
