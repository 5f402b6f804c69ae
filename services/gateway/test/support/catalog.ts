import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type Event,
  type EventSummary,
  type PromoCode,
  type TicketType,
  type WaitlistPosition,
} from '@ticketpro/shared';
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
  hidden: false,
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
  transfer_cutoff_hours: 24,
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
  hidden: false,
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
  capacity: null,
  transfer_cutoff_hours: 24,
  organizer: { id: 3, firstname: 'Rudo', surname: 'Chari' },
  ticket_types: [TICKET_TYPE_VIEW],
  created_at: '2027-01-05T08:00:00.000Z',
  updated_at: '2027-01-06T08:00:00.000Z',
};

/** `SAMPLE_EVENT` as catalog lists it: its cheapest ticket types, and how many it has. */
export const SAMPLE_EVENT_SUMMARY: EventSummary = { ...SAMPLE_EVENT, ticket_types_total: 12 };

/** What a client may see of `SAMPLE_EVENT_SUMMARY`. */
export const EVENT_SUMMARY_VIEW = { ...EVENT_VIEW, ticket_types_total: 12 };

export const SAMPLE_PROMO_CODE: PromoCode = {
  id: 4,
  event_id: 7,
  code: 'HIFA10',
  percent_off: 10,
  amount_off: null,
  ticket_type_ids: null,
  starts_at: null,
  ends_at: '2027-04-01T00:00:00.000Z',
  max_uses: 10,
  max_uses_per_user: 1,
  unlocks_ticket_type_ids: [],
  uses: 3,
  created_at: '2027-01-05T08:00:00.000Z',
  updated_at: '2027-01-06T08:00:00.000Z',
};

const pageOf = <T>(item: T, params: { skip: number; limit: number }) => ({
  items: [item],
  total: 1,
  skip: params.skip,
  limit: params.limit,
  has_next: false,
  has_prev: false,
});

/** A place on `SAMPLE_TICKET_TYPE`'s waiting list, as catalog answers it. */
export const WAITLIST_POSITION: WaitlistPosition = {
  ticket_type_id: 11,
  quantity: 2,
  state: 'waiting',
  position: 3,
  offer: null,
  joined_at: '2027-01-07T08:00:00.000Z',
};

/**
 * Stands in for catalog's event, ticket type and waiting-list actions. The waiting list keeps
 * who joined, as catalog does: a second join is 409, leaving or reading without an entry 404,
 * and only the event's organizer (user 3) or an admin sees the entries (403).
 */
export class CatalogStandIn extends ServiceStandIn<'catalog'> {
  /** Ids of the users on the list. */
  readonly waiting = new Set<number>();

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
      'promoCodes.list': (ctx) => pageOf({ ...SAMPLE_PROMO_CODE, event_id: ctx.params.id }, ctx.params),
      'promoCodes.get': (ctx) => ({ ...SAMPLE_PROMO_CODE, event_id: ctx.params.id, id: ctx.params.code_id }),
      'promoCodes.create': (ctx) => ({ ...SAMPLE_PROMO_CODE, ...ctx.params, event_id: ctx.params.id, uses: 0 }),
      'promoCodes.update': (ctx) => ({
        ...SAMPLE_PROMO_CODE,
        ...ctx.params,
        event_id: ctx.params.id,
        id: ctx.params.code_id,
      }),
      'promoCodes.delete': () => ({ message: 'Promo code deleted' }),
      'waitlist.join': (ctx) => {
        const userId = Number(ctx.meta.user?.id);
        if (this.waiting.has(userId))
          throw new ConflictError('You are already on the waiting list of this ticket type');
        this.waiting.add(userId);
        return { ...WAITLIST_POSITION, ticket_type_id: ctx.params.id, quantity: ctx.params.quantity };
      },
      'waitlist.get': (ctx) => {
        if (!this.waiting.has(Number(ctx.meta.user?.id))) throw new NotFoundError('You are not on the waiting list');
        return { ...WAITLIST_POSITION, ticket_type_id: ctx.params.id };
      },
      'waitlist.leave': (ctx) => {
        if (!this.waiting.delete(Number(ctx.meta.user?.id))) throw new NotFoundError('You are not on the waiting list');
        return { message: 'You have left the waiting list' };
      },
      'waitlist.list': (ctx) => {
        const user = ctx.meta.user;
        if (user?.role !== 'admin' && Number(user?.id) !== SAMPLE_EVENT.organizer_id) {
          throw new ForbiddenError("Only the event's organizer or an admin may do this");
        }
        // Catalog's own bookkeeping beside the view: the response schema must drop it.
        return pageOf({ id: 5, user_id: 8, ...WAITLIST_POSITION, offered_at: null }, ctx.params);
      },
    };
  }
}
