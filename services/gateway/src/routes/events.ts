import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  CreateEventBody,
  EventSchema,
  EventSummarySchema,
  IdParams,
  LISTED_TICKET_TYPES,
  ListEventsQuery,
  MessageSchema,
  Page,
  UpdateEventBody,
} from '@ticketpro/shared';
import { cachedEventRead } from '../plugins/event-read-cache';
import { EXAMPLE_EVENT, EXAMPLE_EVENT_SUMMARY, pageExample } from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['events'];
const Event = Type.Ref(EventSchema);
const EventSummary = Type.Ref(EventSummarySchema);

/**
 * `/events`: public reads (a token, when sent, tells catalog who asks); changes by organizers
 * and admins. Who owns which event is catalog's decision.
 */
export const eventRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'GET',
      url: '',
      summary:
        'List events by date, filtered by a search over name, description and location, location, organizer or dates',
      description:
        `Each event embeds at most its ${LISTED_TICKET_TYPES} cheapest ticket types (by price, then id) and ` +
        '`ticket_types_total`, how many it has, so a page stays small however many ticket types its events have. ' +
        'All of them: `GET /events/{id}`, or a page at a time `GET /tickets/types?event_id=`.',
      tags: TAGS,
      auth: 'optional',
      action: 'catalog.events.list',
      examples: { response: pageExample(EXAMPLE_EVENT_SUMMARY) },
      status: 200,
      querystring: ListEventsQuery,
      response: { ...Page(EventSummary), description: 'A page of events, soonest first' },
    }),
  );

  const readEvent = serviceRoute({
    method: 'GET',
    url: '/:id',
    summary: 'One event, with its organizer and ticket types',
    description:
      'Public: anyone may read any event, and every caller gets the same answer. Every listed ticket type of the ' +
      'event is embedded, with what is still available. ' +
      'Each gateway keeps this answer for up to `EVENT_READ_CACHE_MS` (1 s by default): a change made through the ' +
      'same gateway shows at once, but `available_quantity` and `sold_quantity` may lag orders placed through ' +
      'other gateway instances by up to that long. The order is what counts: `POST /orders` answers 409 when the ' +
      'units are gone, whatever a read showed. The answer carries an `ETag` and `Cache-Control: public, no-cache`; ' +
      'send the ETag back in `If-None-Match` to get 304 without a body while the event is unchanged.',
    tags: TAGS,
    auth: 'optional',
    action: 'catalog.events.get',
    examples: { response: EXAMPLE_EVENT },
    status: 200,
    params: IdParams,
    response: { ...Event, description: 'The event' },
    problems: ['not-found'],
  });
  app.route(
    app.eventReads
      ? {
          ...readEvent,
          schema: {
            ...readEvent.schema,
            response: {
              ...(readEvent.schema?.response as object),
              304: { description: 'Not Modified: the event is as the `If-None-Match` ETag had it', type: 'null' },
            },
          },
          handler: cachedEventRead(app.eventReads),
        }
      : readEvent,
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '',
      summary: 'Create an event (organizer or admin); the caller becomes its organizer',
      description:
        'Organizers and admins only (403 for a user). The date must be in the future. The event starts without ticket types: add them with `POST /tickets/types`. ' +
        'An optional `capacity` limits the seats sold and held across all its ticket types (500 seats sold as Early, ' +
        'Regular and VIP): a hold takes a seat only while both its ticket type and the event have one left.',
      tags: TAGS,
      auth: true,
      action: 'catalog.events.create',
      examples: {
        request: {
          event_name: EXAMPLE_EVENT.event_name,
          description: EXAMPLE_EVENT.description,
          location: EXAMPLE_EVENT.location,
          date: EXAMPLE_EVENT.date,
          image: EXAMPLE_EVENT.image,
        },
        response: { ...EXAMPLE_EVENT, ticket_types: [] },
      },
      status: 201,
      body: CreateEventBody,
      response: { ...Event, description: 'The new event' },
      problems: ['forbidden', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'PUT',
      url: '/:id',
      summary: 'Change an event (its organizer or an admin)',
      description:
        'Only the fields sent change; a new date must be in the future. A `capacity` limits the seats sold and ' +
        'held across all the ticket types (null: no event-wide limit); it cannot go below the seats already sold ' +
        'and held (409).',
      tags: TAGS,
      auth: true,
      action: 'catalog.events.update',
      examples: {
        request: { location: 'Harare International Conference Centre' },
        response: { ...EXAMPLE_EVENT, location: 'Harare International Conference Centre' },
      },
      status: 200,
      params: IdParams,
      body: UpdateEventBody,
      response: { ...Event, description: 'The changed event' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'DELETE',
      url: '/:id',
      summary: 'Delete an event (its organizer or an admin); refused while it has paid orders',
      description:
        'Refused (409) while any ticket of the event is sold: refund its paid orders first. Pending orders do not ' +
        'block it: they are cancelled with it before this answers (their units released, each order `cancelled` ' +
        'with `ordering.order.cancelled`), and the message says how many. No ticket of a deleted event is sold any ' +
        'more: an order placed at the same instant is refused (404) or cancelled within seconds, and a payment ' +
        'arriving for one is refunded.',
      tags: TAGS,
      auth: true,
      action: 'catalog.events.delete',
      examples: { response: { message: 'Event deleted; 2 pending orders cancelled' } },
      status: 200,
      params: IdParams,
      response: { ...MessageSchema, description: 'The event is deleted' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );
};
