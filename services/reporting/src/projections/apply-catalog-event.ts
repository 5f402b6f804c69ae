import type { Knex } from 'knex';
import { EVENT_LISTING_EVENTS, keepNewerFacts, type AcceptedEnvelope } from '@ticketpro/shared';
import { advanceClock } from './clock';

/** Catalog's events the event and ticket type projections are fed from, in the versions they read. */
export const CATALOG_EVENTS = { ...EVENT_LISTING_EVENTS, 'catalog.ticket_type.deleted': [1] } as const;
export type CatalogEvent = AcceptedEnvelope<typeof CATALOG_EVENTS>;

/**
 * Keeps the events (name, organizer: who may see their figures; their own capacity, if any) and
 * ticket types (name, quantity) in step; a row only takes facts newer than its own. Deleted ones
 * are marked, not removed: their sales stay in the figures; a deleted type no longer counts
 * towards capacity.
 */
export async function applyCatalogEvent(trx: Knex.Transaction, envelope: CatalogEvent): Promise<void> {
  const { time } = envelope;
  switch (envelope.type) {
    case 'ticketpro.catalog.event.created':
    case 'ticketpro.catalog.event.updated': {
      const { id, event_name, organizer_id, date } = envelope.data;
      const capacity = 'capacity' in envelope.data ? envelope.data.capacity : null;
      await keepNewerFacts(trx, 'events', 'event_id', {
        event_id: id,
        event_name,
        organizer_id,
        date,
        capacity,
        as_of: time,
      });
      break;
    }
    case 'ticketpro.catalog.event.deleted':
      await trx('events').where('event_id', envelope.data.id).update({ deleted: true });
      break;
    case 'ticketpro.catalog.ticket_type.created':
    case 'ticketpro.catalog.ticket_type.updated': {
      const { id, event_id, name, quantity } = envelope.data;
      await keepNewerFacts(trx, 'ticket_types', 'id', { id, event_id, name, quantity, as_of: time });
      break;
    }
    case 'ticketpro.catalog.ticket_type.deleted':
      await trx('ticket_types').where('id', envelope.data.id).update({ deleted: true });
  }
  await advanceClock(trx, time);
}
