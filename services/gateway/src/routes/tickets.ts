import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  CreateTicketBody,
  IdParams,
  ListTicketsQuery,
  MessageSchema,
  Page,
  QrQuery,
  TicketSchema,
  UpdateTicketBody,
} from '@ticketpro/shared';
import { EXAMPLE_ORDER, EXAMPLE_TICKET, EXAMPLE_TICKET_TYPE, pageExample } from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['tickets'];
const Ticket = Type.Ref(TicketSchema);

type QrFormat = 'png' | 'svg';
const PDF = 'application/pdf';

const QR_IMAGES: Record<QrFormat, { mediaType: string; bytes: (body: string) => Buffer }> = {
  png: { mediaType: 'image/png', bytes: (body) => Buffer.from(body, 'base64') },
  svg: { mediaType: 'image/svg+xml', bytes: (body) => Buffer.from(body, 'utf8') },
};

/**
 * `/tickets`: every route needs a token. Whose ticket is whose, who may change what (the owner
 * the seat, the event's organizer the check-in flags) and every state rule are ticketing's
 * decisions; the gateway checks shapes and says who asks. Registered after `/tickets/types`.
 */
export const ticketRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'GET',
      url: '',
      summary:
        "List tickets, newest first: the caller's own (admins: everyone's), filtered by order, event or check-in",
      description:
        "A user sees their own tickets; an admin everyone's. Filter by `order_id`, `event_id` or `checked_in`.",
      tags: TAGS,
      auth: true,
      action: 'ticketing.tickets.list',
      examples: { response: pageExample(EXAMPLE_TICKET) },
      status: 200,
      querystring: ListTicketsQuery,
      response: { ...Page(Ticket), description: 'A page of tickets, newest first' },
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id',
      summary: "One ticket (its owner, the event's organizer or an admin)",
      description:
        "The ticket with its signed code (`qr_code`). Anyone else's ticket is answered 403 or 404, never its data.",
      tags: TAGS,
      auth: true,
      action: 'ticketing.tickets.get',
      examples: { response: EXAMPLE_TICKET },
      status: 200,
      params: IdParams,
      response: { ...Ticket, description: 'The ticket' },
      problems: ['not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '',
      summary:
        "Add one unit to the caller's pending order as a reserved ticket: held at once, the order's total raised",
      description:
        'The unit counts against what one account may hold unpaid, as an order does (`MAX_PENDING_UNITS_PER_EVENT`, ' +
        'default 50 units of one event): beyond it, 409. An admin adding it is exempt.',
      tags: TAGS,
      auth: true,
      action: 'ticketing.tickets.create',
      examples: {
        request: { order_id: EXAMPLE_ORDER.id, ticket_type_id: EXAMPLE_TICKET_TYPE.id, seat_number: 'B12' },
        response: { ...EXAMPLE_TICKET, status: 'reserved', seat_number: 'B12' },
      },
      status: 201,
      body: CreateTicketBody,
      response: { ...Ticket, description: 'The new reserved ticket' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'PUT',
      url: '/:id',
      summary: "Change a ticket: its owner the seat; the event's organizer or an admin the check-in flags too",
      description:
        "Only the fields sent change. The owner may change the seat; the event's organizer or an admin may also set `checked_in` and `checked_out` by hand.",
      tags: TAGS,
      auth: true,
      action: 'ticketing.tickets.update',
      examples: { request: { seat_number: 'B14' }, response: { ...EXAMPLE_TICKET, seat_number: 'B14' } },
      status: 200,
      params: IdParams,
      body: UpdateTicketBody,
      response: { ...Ticket, description: 'The changed ticket' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'DELETE',
      url: '/:id',
      summary:
        'Cancel a reserved ticket (its owner or an admin): its unit leaves the pending order and returns to inventory. A paid ticket is refused (409: refund the order), as is a checked-in or void one',
      description:
        "Only a reserved ticket, not yet paid, can be cancelled this way: its order's total drops by the unit's price.",
      tags: TAGS,
      auth: true,
      action: 'ticketing.tickets.delete',
      examples: { response: { message: 'Ticket cancelled' } },
      status: 200,
      params: IdParams,
      response: { ...MessageSchema, description: 'The ticket is cancelled' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route({
    ...serviceRoute({
      method: 'GET',
      url: '/:id/qr',
      summary: "The ticket's QR code as an image (its owner or an admin): PNG, or SVG with ?format=svg",
      description:
        "The image encodes the ticket's signed code; scanners verify it offline with `GET /validation/keys`. Never cached by shared caches.",
      tags: TAGS,
      auth: true,
      action: 'ticketing.tickets.qr',
      status: 200,
      params: IdParams,
      querystring: QrQuery,
      response: {
        description: "An image of the ticket's signed code",
        content: {
          [QR_IMAGES.png.mediaType]: { schema: Type.String({ contentEncoding: 'binary', description: 'A PNG image' }) },
          [QR_IMAGES.svg.mediaType]: {
            schema: Type.String({ description: 'An SVG document' }),
            example: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"><path d="M0 0h7v7H0z"/></svg>',
          },
        },
      },
      // 409 for a void ticket: its code admits no one any more.
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
    // An image, not JSON: the bytes go out as they are, typed by the format asked for.
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const { id } = request.params as { id: number };
      // Validation filled in the default format.
      const { format } = request.query as { format: QrFormat };
      const image = await request.callService('ticketing.tickets.qr', { id, format });
      const { mediaType, bytes } = QR_IMAGES[format];
      // The code admits whoever shows it, so no shared cache may keep a copy.
      return reply.type(mediaType).header('cache-control', 'private, no-store').send(bytes(image.body));
    },
  });

  app.route({
    ...serviceRoute({
      method: 'GET',
      url: '/:id/pdf',
      summary: "The ticket as a printable PDF page (its owner, the event's organizer or an admin)",
      description:
        'One A4 page: the event, its date (in `MAIL_TIME_ZONE`) and location, the ticket type, seat, holder and ' +
        "the QR code of the ticket's signed code, as the ticket delivery's attachment has it. Anyone else is " +
        'answered 404, as for a missing ticket; a reserved (unpaid) or void ticket 409.',
      tags: TAGS,
      auth: true,
      action: 'notifications.tickets.pdf',
      status: 200,
      params: IdParams,
      response: {
        description: 'A PDF document',
        content: { [PDF]: { schema: Type.String({ contentEncoding: 'binary', description: 'A PDF document' }) } },
      },
      problems: ['not-found', 'conflict'],
    }),
    // A document, not JSON: the bytes go out as they are.
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const { id } = request.params as { id: number };
      const pdf = await request.callService('notifications.tickets.pdf', { id });
      // Its QR code admits whoever shows it, so no shared cache may keep a copy.
      return reply
        .type(PDF)
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="ticket-${id}.pdf"`)
        .send(Buffer.from(pdf.body, 'base64'));
    },
  });
};
