import type { Knex } from 'knex';
import { createProcessedEventsTable, PROCESSED_EVENTS_TABLE } from '@ticketpro/shared';

export const name = '008_create_processed_events';

/** Ordering's first consumer (catalog's deleted events): which event ids it handled. */
export async function up(knex: Knex): Promise<void> {
  await createProcessedEventsTable(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable(PROCESSED_EVENTS_TABLE);
}
