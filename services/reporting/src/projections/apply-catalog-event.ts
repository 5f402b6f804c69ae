import type { Knex } from 'knex';
import type { AcceptedEnvelope, EventListingColumns } from '@ticketpro/shared';
import { EVENT_LISTING_EVENTS, isEventListingEvent, projectEventListing } from '@ticketpro/shared';

/** Catalog's events the event and ticket type projections are fed from, in the versions they read. */
export const CATALOG_EVENTS = { ...EVENT_LISTING_EVENTS, 'catalog.ticket_type.deleted': [1] } as const;
export type CatalogEvent = AcceptedEnvelope<typeof CATALOG_EVENTS>;

/** Whose an event is (who may see its figures), its own capacity if any, and a ticket type's name and quantity. */
const LISTING_COLUMNS: EventListingColumns = {
  event: (facts) => ({
    event_name: facts.event_name,
    organizer_id: facts.organizer_id,
    date: facts.date,
    capacity: 'capacity' in facts ? facts.capacity : null,
  }),
  ticketType: ({ name, quantity }) => ({ name, quantity }),
};

/**
 * Keeps the events (name, organizer: who may see their figures; their own capacity, if any) and
 * ticket types (name, quantity) in step; a row only takes facts newer than its own. Deleted ones
 * are marked, not removed: their sales stay in the figures; a deleted type no longer counts
 * towards capacity.
 */
export async function applyCatalogEvent(trx: Knex.Transaction, envelope: CatalogEvent): Promise<void> {
  if (isEventListingEvent(envelope)) await projectEventListing(trx, envelope, LISTING_COLUMNS);
  else await trx('ticket_types').where('id', envelope.data.id).update({ deleted: true });
}
