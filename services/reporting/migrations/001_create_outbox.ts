import type { Knex } from 'knex';
import { createOutboxTable, OUTBOX_TABLE } from '@ticketpro/shared';

export const name = '001_create_outbox';

export async function up(knex: Knex): Promise<void> {
  await createOutboxTable(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable(OUTBOX_TABLE);
}
