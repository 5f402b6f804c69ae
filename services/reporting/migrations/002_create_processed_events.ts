import type { Knex } from 'knex';
import { createProcessedEventsTable, PROCESSED_EVENTS_TABLE } from '@ticketpro/shared';

export const name = '002_create_processed_events';

export async function up(knex: Knex): Promise<void> {
  await createProcessedEventsTable(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable(PROCESSED_EVENTS_TABLE);
}
