import { Type, type Static } from '@sinclair/typebox';
import { Id, IdAndChanges, Timestamp } from './common';
import { PageQuery } from '../pagination';

export const TICKET_STATUSES = ['reserved', 'valid', 'used', 'void'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const SeatNumber = Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9 ._-]+$' });

export const TicketSchema = Type.Object(
  {
    id: Id,
    order_id: Id,
    ticket_type_id: Id,
    event_id: Id,
    seat_number: Type.Union([Type.String(), Type.Null()]),
    qr_code: Type.String({ description: 'Signed code a scanner can verify offline with the published public keys' }),
    status: Type.Union(TICKET_STATUSES.map((s) => Type.Literal(s))),
    checked_in: Type.Boolean(),
    checked_out: Type.Boolean(),
    validated_at: Type.Union([Timestamp, Type.Null()]),
    validated_by: Type.Union([Id, Type.Null()]),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Ticket', additionalProperties: false },
);
export type Ticket = Static<typeof TicketSchema>;

export const ListTicketsQuery = Type.Object(
  {
    ...PageQuery,
    order_id: Type.Optional(Id),
    event_id: Type.Optional(Id),
    checked_in: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ListTicketsQuery = Static<typeof ListTicketsQuery>;

export const CreateTicketBody = Type.Object(
  { order_id: Id, ticket_type_id: Id, seat_number: Type.Optional(SeatNumber) },
  { additionalProperties: false },
);
export type CreateTicketBody = Static<typeof CreateTicketBody>;

/** Owners set `seat_number`; the event's organizer and admins also `checked_in`/`checked_out`. */
export const UpdateTicketBody = Type.Object(
  {
    seat_number: Type.Optional(Type.Union([SeatNumber, Type.Null()])),
    checked_in: Type.Optional(Type.Boolean()),
    checked_out: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, errorMessage: 'at least one field to change is required' },
);
export type UpdateTicketBody = Static<typeof UpdateTicketBody>;

export const UpdateTicketParams = IdAndChanges(UpdateTicketBody);
export type UpdateTicketParams = Static<typeof UpdateTicketParams>;

export const QrQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('svg')], { default: 'png' })) },
  { additionalProperties: false },
);

export const QrParams = Type.Object({ id: Id, ...QrQuery.properties }, { additionalProperties: false });
export type QrParams = Static<typeof QrParams>;

/** `ticketing.tickets.qr`: a PNG travels base64-encoded, an SVG as its text; the gateway sends the bytes on. */
export const QrImage = Type.Object(
  { content_type: Type.Union([Type.Literal('image/png'), Type.Literal('image/svg+xml')]), body: Type.String() },
  { additionalProperties: false },
);
export type QrImage = Static<typeof QrImage>;

export const QrCodeBody = Type.Object(
  { qr_code: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export type QrCodeBody = Static<typeof QrCodeBody>;

/** `ticketing.validation.status`: where one ticket stands at the door. */
export const TicketStatusParams = Type.Object({ ticket_id: Id }, { additionalProperties: false });
export type TicketStatusParams = Static<typeof TicketStatusParams>;

/** The answer of validate, check-in, check-out and status. */
export const ValidationResultSchema = Type.Object(
  {
    ticket_id: Id,
    event_id: Id,
    status: Type.Union(TICKET_STATUSES.map((s) => Type.Literal(s))),
    admitted: Type.Boolean({ description: 'validate: would be admitted now; checkin: was admitted by this scan' }),
    checked_in: Type.Boolean(),
    checked_out: Type.Boolean(),
    validated_at: Type.Union([Timestamp, Type.Null()]),
    validated_by: Type.Union([Id, Type.Null()]),
    reason: Type.Optional(Type.String()),
  },
  { $id: 'ValidationResult', additionalProperties: false },
);
export type ValidationResult = Static<typeof ValidationResultSchema>;

/** Public Ed25519 keys for verifying ticket codes offline (a JWKS: kty OKP, crv Ed25519). */
export const TicketKeysSchema = Type.Object(
  {
    keys: Type.Array(
      Type.Object(
        {
          kid: Type.String(),
          kty: Type.Literal('OKP'),
          crv: Type.Literal('Ed25519'),
          x: Type.String(),
          use: Type.Literal('sig'),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'TicketKeys', additionalProperties: false },
);

/** Some tickets of an order, at most the 1000 one refund may name; each once. */
export const RefundTicketIds = Type.Array(Id, { minItems: 1, maxItems: 1000, uniqueItems: true });

/**
 * The refund's step in ticketing (`ticketing.tickets.voidForRefund`, called by ordering): the
 * order's id, and for a partial refund the tickets to void.
 */
export const VoidForRefundParams = Type.Object(
  { order_id: Id, ticket_ids: Type.Optional(RefundTicketIds) },
  { additionalProperties: false },
);
export type VoidForRefundParams = Static<typeof VoidForRefundParams>;

/**
 * How many unused tickets this call voided (a repeat voids none); for a partial refund, the
 * named tickets with their types, whether this call or an earlier one voided them for it.
 */
export const RefundedTickets = Type.Object({
  order_id: Id,
  voided: Type.Integer({ minimum: 0 }),
  tickets: Type.Optional(Type.Array(Type.Object({ id: Id, ticket_type_id: Id }, { additionalProperties: false }))),
});
export type RefundedTickets = Static<typeof RefundedTickets>;

// --- Ticketing's domain events (their payloads; the contract names them and their versions). ---

export const TicketFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    order_id: Type.Integer({ minimum: 1 }),
    ticket_type_id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    status: Type.String(),
    validated_by: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  },
  { additionalProperties: false },
);

/**
 * An order's tickets once issued, all in one event: what a ticket delivery needs (each ticket's
 * signed code for its QR image), so that notifications sends one message per paid order.
 */
export const OrderTicketsFacts = Type.Object(
  {
    order_id: Type.Integer({ minimum: 1 }),
    user_id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    tickets: Type.Array(
      Type.Object(
        {
          id: Type.Integer({ minimum: 1 }),
          ticket_type_id: Type.Integer({ minimum: 1 }),
          seat_number: Type.Union([Type.String(), Type.Null()]),
          qr_code: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
