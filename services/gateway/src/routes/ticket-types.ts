import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  CreateTicketTypeBody,
  IdParams,
  ListTicketTypesQuery,
  MessageSchema,
  Page,
  TicketTypeSchema,
  UpdateTicketTypeBody,
} from '@ticketpro/shared';
import { EXAMPLE_TICKET_TYPE, pageExample } from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['ticket types'];
const TicketType = Type.Ref(TicketTypeSchema);

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
        'Only the fields sent change. A new price applies to orders placed from now on; orders already placed keep theirs. Lowering the quantity below what is sold or held is refused (409).',
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
};
