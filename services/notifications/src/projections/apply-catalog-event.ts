import type { Knex } from 'knex';
import { EVENT_LISTING_EVENTS, keepNewerFacts, type AcceptedEnvelope } from '@ticketpro/shared';
import { enqueueMessage } from '../messages/enqueue';

/**
 * Catalog's events the event and ticket type projections are fed from, and the waiting-list
 * offers mailed to their users, in the versions they read.
 */
export const CATALOG_EVENTS = { ...EVENT_LISTING_EVENTS, 'catalog.waitlist.offered': [1] } as const;
export type CatalogEvent = AcceptedEnvelope<typeof CATALOG_EVENTS>;

/**
 * Keeps the events' names, places and dates, and the ticket types' names, in step with catalog;
 * a row only takes facts newer than its own (`as_of`). A deleted event is marked, not removed:
 * messages already queued about it still need its facts. A deleted ticket type keeps its name
 * for the same reason, so its deletion is not followed. A waiting-list offer queues its message,
 * once per event (the event's id is the message's source).
 */
export async function applyCatalogEvent(trx: Knex.Transaction, envelope: CatalogEvent): Promise<void> {
  const { time } = envelope;
  switch (envelope.type) {
    case 'ticketpro.catalog.event.created':
    case 'ticketpro.catalog.event.updated': {
      const { id, event_name, location, date, organizer_id } = envelope.data;
      await keepNewerFacts(trx, 'events', 'event_id', {
        event_id: id,
        event_name,
        location,
        date,
        organizer_id,
        as_of: time,
      });
      return;
    }
    case 'ticketpro.catalog.event.deleted':
      await trx('events').where('event_id', envelope.data.id).update({ deleted: true });
      return;
    case 'ticketpro.catalog.ticket_type.created':
    case 'ticketpro.catalog.ticket_type.updated': {
      const { id, event_id, name } = envelope.data;
      await keepNewerFacts(trx, 'ticket_types', 'id', { id, event_id, name, as_of: time });
      return;
    }
    case 'ticketpro.catalog.waitlist.offered': {
      const { user_id, ...offer } = envelope.data;
      await enqueueMessage(trx, {
        source: envelope.id,
        recipientId: user_id,
        kind: 'waitlist_offer',
        orderId: null,
        details: offer,
      });
    }
  }
}
