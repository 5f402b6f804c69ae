import type { Knex } from 'knex';
import { keepNewerFacts, type AcceptedEnvelope } from '@ticketpro/shared';

/** The catalog events the organizer projection is fed from, in the versions it reads. */
export const CATALOG_EVENTS = {
  'catalog.event.created': [1, 2],
  'catalog.event.updated': [1, 2],
  'catalog.event.deleted': [1],
} as const;

/**
 * Keeps the event → organizer projection in step with one catalog event. Events may arrive late
 * or out of order, so a row only takes facts newer than the ones it has (`as_of`, the event
 * time). A deleted event keeps its organizer: its tickets are still theirs to look after.
 */
export async function applyCatalogEvent(
  trx: Knex.Transaction,
  envelope: AcceptedEnvelope<typeof CATALOG_EVENTS>,
): Promise<void> {
  const { data, time } = envelope;
  await keepNewerFacts(trx, 'event_organizers', 'event_id', {
    event_id: data.id,
    organizer_id: data.organizer_id,
    as_of: time,
  });
}
