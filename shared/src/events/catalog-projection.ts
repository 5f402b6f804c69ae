import type { Knex } from 'knex';
import { eventNameOf, type AcceptedEnvelope, type EventName, type EventType } from './catalogue';
import { keepNewerFacts } from '../sql';

/**
 * Catalog's events a service's projection of events and ticket types is fed from (their facts, and
 * an event's deletion), in the versions it reads. A service that reads more spreads this and adds.
 */
export const EVENT_LISTING_EVENTS = {
  'catalog.event.created': [1, 2],
  'catalog.event.updated': [1, 2],
  'catalog.event.deleted': [1],
  'catalog.ticket_type.created': [1],
  'catalog.ticket_type.updated': [1],
} as const;
export type EventListingEvent = AcceptedEnvelope<typeof EVENT_LISTING_EVENTS>;

type FactsOf<T extends EventListingEvent['type']> = Extract<EventListingEvent, { type: T }>['data'];

/** The columns a service keeps of an event's facts and of a ticket type's, besides their keys and `as_of`. */
export interface EventListingColumns {
  event(facts: FactsOf<'ticketpro.catalog.event.created'>): Record<string, unknown>;
  ticketType(facts: FactsOf<'ticketpro.catalog.ticket_type.created'>): Record<string, unknown>;
}

/** Whether the envelope is one `projectEventListing` keeps, narrowing the caller's own union of events. */
export function isEventListingEvent<E extends { type: string }>(
  envelope: E,
): envelope is Extract<E, EventListingEvent> {
  return eventNameOf(envelope.type as EventType<EventName>) in EVENT_LISTING_EVENTS;
}

/**
 * Keeps a service's own projection of catalog's events (its table `events`, keyed by `event_id`)
 * and ticket types (`ticket_types`, keyed by `id`) at the newest facts each was told
 * (`keepNewerFacts`). A deleted event is marked `deleted`, not removed: what the service keeps
 * about it (queued messages, sales) still needs its facts.
 */
export async function projectEventListing(
  trx: Knex.Transaction,
  envelope: EventListingEvent,
  columns: EventListingColumns,
): Promise<void> {
  const { time } = envelope;
  switch (envelope.type) {
    case 'ticketpro.catalog.event.created':
    case 'ticketpro.catalog.event.updated': {
      const row = { event_id: envelope.data.id, ...columns.event(envelope.data), as_of: time };
      await keepNewerFacts(trx, 'events', 'event_id', row);
      return;
    }
    case 'ticketpro.catalog.event.deleted':
      await trx('events').where('event_id', envelope.data.id).update({ deleted: true });
      return;
    case 'ticketpro.catalog.ticket_type.created':
    case 'ticketpro.catalog.ticket_type.updated': {
      const { id, event_id } = envelope.data;
      await keepNewerFacts(trx, 'ticket_types', 'id', {
        id,
        event_id,
        ...columns.ticketType(envelope.data),
        as_of: time,
      });
    }
  }
}
