import type { Event, EventSummary, TicketType } from '@ticketpro/shared';
import { ServiceStandIn, type StandInAnswers } from '@ticketpro/shared/testing';

export const SAMPLE_TICKET_TYPE: TicketType & { held_quantity: number } = {
  id: 11,
  event_id: 7,
  name: 'General admission',
  description: 'Standing room in front of the main stage',
  price: 19.99,
  currency: 'ZWG',
  quantity: 500,
  available_quantity: 480,
  sold_quantity: 15,
  sales_start: null,
  sales_end: '2027-04-28T12:00:00.000Z',
  max_per_order: 10,
  created_at: '2027-01-05T08:00:00.000Z',
  updated_at: '2027-01-06T08:00:00.000Z',
  // Catalog's own bookkeeping: the gateway's response schema must drop it.
  held_quantity: 5,
};

export const SAMPLE_EVENT: Event & { organizer: { email: string; phone_number: string }; deleted_at: null } = {
  id: 7,
  event_name: 'Harare International Festival of the Arts',
  description: 'Six days of music, theatre and dance',
  organizer_id: 3,
  location: 'Harare Gardens',
  date: '2027-04-28T16:00:00.000Z',
  image: null,
  capacity: null,
  // A careless service might pass the whole user along: public reads must never show contact details.
  organizer: { id: 3, firstname: 'Rudo', surname: 'Chari', email: 'rudo@example.com', phone_number: '+263771234567' },
  ticket_types: [SAMPLE_TICKET_TYPE],
  created_at: '2027-01-05T08:00:00.000Z',
  updated_at: '2027-01-06T08:00:00.000Z',
  deleted_at: null,
};

/** What a client may see of `SAMPLE_TICKET_TYPE`. */
export const TICKET_TYPE_VIEW = {
  id: 11,
  event_id: 7,
  name: 'General admission',
  description: 'Standing room in front of the main stage',
  price: 19.99,
  currency: 'ZWG',
  quantity: 500,
  available_quantity: 480,
  sold_quantity: 15,
  sales_start: null,
  sales_end: '2027-04-28T12:00:00.000Z',
  max_per_order: 10,
  created_at: '2027-01-05T08:00:00.000Z',
  updated_at: '2027-01-06T08:00:00.000Z',
};

/** What a client may see of `SAMPLE_EVENT`. */
export const EVENT_VIEW = {
  id: 7,
  event_name: 'Harare International Festival of the Arts',
  description: 'Six days of music, theatre and dance',
  organizer_id: 3,
  location: 'Harare Gardens',
  date: '2027-04-28T16:00:00.000Z',
  image: null,
  organizer: { id: 3, firstname: 'Rudo', surname: 'Chari' },
  ticket_types: [TICKET_TYPE_VIEW],
  created_at: '2027-01-05T08:00:00.000Z',
  updated_at: '2027-01-06T08:00:00.000Z',
};

/** `SAMPLE_EVENT` as catalog lists it: its cheapest ticket types, and how many it has. */
export const SAMPLE_EVENT_SUMMARY: EventSummary = { ...SAMPLE_EVENT, ticket_types_total: 12 };

/** What a client may see of `SAMPLE_EVENT_SUMMARY`. */
export const EVENT_SUMMARY_VIEW = { ...EVENT_VIEW, ticket_types_total: 12 };

const pageOf = <T>(item: T, params: { skip: number; limit: number }) => ({
  items: [item],
  total: 1,
  skip: params.skip,
  limit: params.limit,
  has_next: false,
  has_prev: false,
});

/** Stands in for catalog's event and ticket type actions. */
export class CatalogStandIn extends ServiceStandIn<'catalog'> {
  constructor() {
    super('catalog');
  }

  protected answers(): StandInAnswers<'catalog'> {
    return {
      health: () => ({ status: 'ok' }),
      'events.list': (ctx) => pageOf(SAMPLE_EVENT_SUMMARY, ctx.params),
      'events.get': (ctx) => ({ ...SAMPLE_EVENT, id: ctx.params.id }),
      'events.create': (ctx) => ({ ...SAMPLE_EVENT, ...ctx.params }),
      'events.update': (ctx) => ({ ...SAMPLE_EVENT, ...ctx.params }),
      'events.delete': () => ({ message: 'Event deleted' }),
      'ticketTypes.list': (ctx) => pageOf(SAMPLE_TICKET_TYPE, ctx.params),
      'ticketTypes.get': (ctx) => ({ ...SAMPLE_TICKET_TYPE, id: ctx.params.id }),
      'ticketTypes.create': (ctx) => ({ ...SAMPLE_TICKET_TYPE, ...ctx.params }),
      'ticketTypes.update': (ctx) => ({ ...SAMPLE_TICKET_TYPE, ...ctx.params }),
      'ticketTypes.delete': () => ({ message: 'Ticket type deleted' }),
    };
  }
}
