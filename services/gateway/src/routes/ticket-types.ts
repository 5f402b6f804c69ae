import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  CreateTicketTypeBody,
  IdParams,
  JoinWaitlistBody,
  ListTicketTypesQuery,
  MessageSchema,
  Page,
  TicketTypeSchema,
  PageQuery,
  UpdateTicketTypeBody,
  WaitlistEntrySchema,
  WaitlistPositionSchema,
} from '@ticketpro/shared';
import {
  EXAMPLE_TICKET_TYPE,
  EXAMPLE_WAITLIST_ENTRY,
  EXAMPLE_WAITLIST_OFFERED,
  EXAMPLE_WAITLIST_POSITION,
  pageExample,
} from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['ticket types'];
const WAITLIST_TAGS = ['waiting list'];
const TicketType = Type.Ref(TicketTypeSchema);
const WaitlistPosition = Type.Ref(WaitlistPositionSchema);

/**
 * `/tickets/types`: public reads; changes by the event's organizer or an admin (catalog's
 * decision). Registered under `/tickets` beside the tickets' `/:id` routes: the router matches
 * the static `types` segment before any parameter, whatever the order routes are added in.
 */
export const ticketTypeRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'GET',
      url: '',
      summary: 'List ticket types by event, then price, optionally of one event',
      description: "Public. Ordered by event, then price; `event_id` keeps one event's ticket types.",
      tags: TAGS,
      auth: 'optional',
      action: 'catalog.ticketTypes.list',
      examples: { response: pageExample(EXAMPLE_TICKET_TYPE) },
      status: 200,
      querystring: ListTicketTypesQuery,
      response: { ...Page(TicketType), description: 'A page of ticket types' },
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id',
      summary: 'One ticket type, with what is still available',
      description:
        'Public. `available_quantity` is what can still be ordered: the quantity less what is sold and what pending orders hold.',
      tags: TAGS,
      auth: 'optional',
      action: 'catalog.ticketTypes.get',
      examples: { response: EXAMPLE_TICKET_TYPE },
      status: 200,
      params: IdParams,
      response: { ...TicketType, description: 'The ticket type' },
      problems: ['not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '',
      summary: "Add a ticket type to an event (the event's organizer or an admin)",
      description:
        'One event has at most `MAX_TICKET_TYPES_PER_EVENT` ticket types (default 50): beyond it this answers 409, ' +
        'saying the limit; deleting one makes room. A `hidden` ticket type (presale, press) is left out of the ' +
        "public lists (the event's, `GET /tickets/types`) and sold only to an order whose promo code unlocks it " +
        '(`unlocks_ticket_type_ids`); anyone with its id can read it here.',
      tags: TAGS,
      auth: true,
      action: 'catalog.ticketTypes.create',
      examples: {
        request: {
          event_id: EXAMPLE_TICKET_TYPE.event_id,
          name: EXAMPLE_TICKET_TYPE.name,
          description: EXAMPLE_TICKET_TYPE.description,
          price: EXAMPLE_TICKET_TYPE.price,
          quantity: EXAMPLE_TICKET_TYPE.quantity,
          currency: EXAMPLE_TICKET_TYPE.currency,
        },
        response: { ...EXAMPLE_TICKET_TYPE, available_quantity: 500, sold_quantity: 0 },
      },
      status: 201,
      body: CreateTicketTypeBody,
      response: { ...TicketType, description: 'The new ticket type' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'PUT',
      url: '/:id',
      summary: "Change a ticket type (the event's organizer or an admin); quantity not below what is sold or held",
      description:
        'Only the fields sent change. A new price applies to orders placed from now on; orders already placed keep theirs. Lowering the quantity below what is sold or held is refused (409); units on hold include those offered to the waiting list. Units a raised quantity adds go to the waiting list first: in the same step they are offered to its entries in join order (see `POST /tickets/types/{id}/waitlist`), and only what nobody waits for is left on sale.',
      tags: TAGS,
      auth: true,
      action: 'catalog.ticketTypes.update',
      examples: { request: { price: 30 }, response: { ...EXAMPLE_TICKET_TYPE, price: 30 } },
      status: 200,
      params: IdParams,
      body: UpdateTicketTypeBody,
      response: { ...TicketType, description: 'The changed ticket type' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'DELETE',
      url: '/:id',
      summary: "Delete a ticket type (the event's organizer or an admin); refused while tickets of it are sold",
      description: 'Refused (409) while any ticket of the type is sold: refund its paid orders first.',
      tags: TAGS,
      auth: true,
      action: 'catalog.ticketTypes.delete',
      examples: { response: { message: 'Ticket type deleted' } },
      status: 200,
      params: IdParams,
      response: { ...MessageSchema, description: 'The ticket type is deleted' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/:id/waitlist',
      summary: "Join a sold-out ticket type's waiting list for a quantity",
      description:
        'Signed-in users. Only a sold-out ticket type has a waiting list: while units are free this answers 409 ' +
        'with `available` (order them instead). One entry per user and ticket type: a second join is 409 naming ' +
        'the place held (leave and join again to change the quantity, at the end of the line). `quantity` is at ' +
        "most the type's `max_per_order` and `MAX_PENDING_UNITS_PER_EVENT` (422). Whenever units come back (a hold " +
        'lapses, an order is cancelled or refunded, the quantity is raised, an offer is declined or lapses) they are ' +
        'offered to the entries in join order, each its quantity or what is left, as units set aside for ' +
        '`WAITLIST_OFFER_SECONDS` (default 900) that nobody else can take; the user is emailed. The offer is ' +
        'claimed by placing an order (`POST /orders`) for the ticket type before it expires: the order takes the ' +
        'offered units first. Unclaimed, they pass on to the next entry.',
      tags: WAITLIST_TAGS,
      auth: true,
      action: 'catalog.waitlist.join',
      examples: { request: { quantity: 2 }, response: EXAMPLE_WAITLIST_POSITION },
      status: 201,
      params: IdParams,
      body: JoinWaitlistBody,
      response: { ...WaitlistPosition, description: 'The place taken in line' },
      problems: ['not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id/waitlist',
      summary: "The caller's place on a ticket type's waiting list, and any offer made to it",
      description:
        '`position` is the place among those still waiting (1 is next); once units are offered, `state` is ' +
        '`offered`, `position` null and `offer` says how many units until when. 404 when the caller is not on ' +
        'the list (never joined, left, claimed, or the offer lapsed).',
      tags: WAITLIST_TAGS,
      auth: true,
      action: 'catalog.waitlist.get',
      examples: { response: EXAMPLE_WAITLIST_OFFERED },
      status: 200,
      params: IdParams,
      response: { ...WaitlistPosition, description: "The caller's entry" },
      problems: ['not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'DELETE',
      url: '/:id/waitlist',
      summary: "Leave a ticket type's waiting list, declining any open offer",
      description:
        'Removes the entry; units offered to it pass on to the next entry at once. 404 when the caller is not on the list.',
      tags: WAITLIST_TAGS,
      auth: true,
      action: 'catalog.waitlist.leave',
      examples: { response: { message: 'You have left the waiting list' } },
      status: 200,
      params: IdParams,
      response: { ...MessageSchema, description: 'The entry is removed' },
      problems: ['not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id/waitlist/entries',
      summary: "A ticket type's waiting list in join order (the event's organizer or an admin)",
      description:
        'The open entries: those waiting, with their places, and those holding an open offer. Entries that left, ' +
        'claimed their offer or let it lapse are not listed.',
      tags: WAITLIST_TAGS,
      auth: true,
      action: 'catalog.waitlist.list',
      examples: { response: pageExample(EXAMPLE_WAITLIST_ENTRY) },
      status: 200,
      params: IdParams,
      querystring: Type.Object(PageQuery, { additionalProperties: false }),
      response: { ...Page(Type.Ref(WaitlistEntrySchema)), description: 'A page of entries' },
      problems: ['forbidden', 'not-found'],
    }),
  );
};
