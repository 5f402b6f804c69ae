import type { Knex } from 'knex';
import type { AcceptedEnvelope, EventListingColumns } from '@ticketpro/shared';
import { EVENT_LISTING_EVENTS, isEventListingEvent, projectEventListing } from '@ticketpro/shared';
import { enqueueMessage } from '../messages/enqueue';

/**
 * Catalog's events the event and ticket type projections are fed from, and the waiting-list
 * offers mailed to their users, in the versions they read.
 */
export const CATALOG_EVENTS = { ...EVENT_LISTING_EVENTS, 'catalog.waitlist.offered': [1] } as const;
export type CatalogEvent = AcceptedEnvelope<typeof CATALOG_EVENTS>;

/** What the messages show of an event and of a ticket type. */
const LISTING_COLUMNS: EventListingColumns = {
  event: ({ event_name, location, date, organizer_id }) => ({ event_name, location, date, organizer_id }),
  ticketType: ({ name }) => ({ name }),
};

/**
 * Keeps the events' names, places and dates, and the ticket types' names, in step with catalog;
 * a row only takes facts newer than its own (`as_of`). A deleted event is marked, not removed:
 * messages already queued about it still need its facts. A deleted ticket type keeps its name
 * for the same reason, so its deletion is not followed. A waiting-list offer queues its message,
 * once per event (the event's id is the message's source).
 */
export async function applyCatalogEvent(trx: Knex.Transaction, envelope: CatalogEvent): Promise<void> {
  if (isEventListingEvent(envelope)) return projectEventListing(trx, envelope, LISTING_COLUMNS);
  const { user_id, ...offer } = envelope.data;
  await enqueueMessage(trx, {
    source: envelope.id,
    recipientId: user_id,
    kind: 'waitlist_offer',
    orderId: null,
    details: offer,
  });
}
