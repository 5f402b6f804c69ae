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
