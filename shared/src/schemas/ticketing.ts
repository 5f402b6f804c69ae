import { Type, type Static } from '@sinclair/typebox';
import { AuditTimestamps, Id, IdAnd, IdAndChanges, Timestamp } from './common';
import { Email as RecipientEmail } from './identity';
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
    ...AuditTimestamps,
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

export const QrParams = IdAnd(QrQuery);
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

// --- Ticket transfer (an owner offers a valid ticket to an email; its holder accepts). ---

export const TRANSFER_STATUSES = ['pending', 'accepted', 'cancelled', 'expired'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

const TransferMessage = Type.String({ minLength: 1, maxLength: 500 });

export const TransferBody = Type.Object(
  { email: RecipientEmail, message: Type.Optional(TransferMessage) },
  { additionalProperties: false },
);
export type TransferBody = Static<typeof TransferBody>;

export const OfferTransferParams = IdAnd(TransferBody);
export type OfferTransferParams = Static<typeof OfferTransferParams>;

export const AdminTransferBody = Type.Object(
  { ticket_id: Id, new_owner_email: RecipientEmail, message: Type.Optional(TransferMessage) },
  { additionalProperties: false },
);
export type AdminTransferBody = Static<typeof AdminTransferBody>;

export const TransferSchema = Type.Object(
  {
    id: Id,
    ticket_id: Id,
    event_id: Id,
    from_user_id: Id,
    recipient_email: Type.String({ description: 'As the owner typed it, in lower case' }),
    message: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union(TRANSFER_STATUSES.map((s) => Type.Literal(s))),
    to_user_id: Type.Union([Id, Type.Null()], { description: 'Who accepted it, once accepted' }),
    expires_at: Timestamp,
    decided_at: Type.Union([Timestamp, Type.Null()]),
    created_at: Timestamp,
  },
  { $id: 'TicketTransfer', additionalProperties: false },
);
export type TicketTransfer = Static<typeof TransferSchema>;

/** One owner of a ticket and how long they held it; `until` null for the current owner. */
export const TicketOwnerSchema = Type.Object(
  {
    user_id: Id,
    since: Timestamp,
    until: Type.Union([Timestamp, Type.Null()]),
    via: Type.Union([Type.Literal('purchase'), Type.Literal('transfer'), Type.Literal('admin_transfer')]),
    transfer_id: Type.Union([Id, Type.Null()]),
  },
  { additionalProperties: false },
);
export const TicketOwnersSchema = Type.Object(
  { ticket_id: Id, owners: Type.Array(TicketOwnerSchema) },
  { $id: 'TicketOwners', additionalProperties: false },
);
export type TicketOwners = Static<typeof TicketOwnersSchema>;

export const REVOCATION_REASONS = ['transferred', 'refunded'] as const;
export const MAX_REVOCATIONS_PAGE = 1000;

export const RevocationsQuery = Type.Object(
  {
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'Codes revoked at or after this instant (inclusive)' }),
    ),
    event_id: Type.Optional(Id),
    limit: Type.Integer({ minimum: 1, maximum: MAX_REVOCATIONS_PAGE, default: 500 }),
  },
  { additionalProperties: false },
);
export type RevocationsQuery = Static<typeof RevocationsQuery>;

export const RevocationsSchema = Type.Object(
  {
    revocations: Type.Array(
      Type.Object(
        {
          qr_code: Type.String(),
          ticket_id: Id,
          event_id: Id,
          reason: Type.Union(REVOCATION_REASONS.map((r) => Type.Literal(r))),
          revoked_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
    next_since: Type.Union([Timestamp, Type.Null()], {
      description: 'Ask again with this as `since` (inclusive: a code may come twice); null when nothing was listed',
    }),
    has_more: Type.Boolean(),
  },
  { $id: 'Revocations', additionalProperties: false },
);
export type Revocations = Static<typeof RevocationsSchema>;

/** `ticketing.ticket.transfer_offered`: what the recipient's message needs. */
export const TransferOfferedFacts = Type.Object(
  {
    transfer_id: Type.Integer({ minimum: 1 }),
    ticket_id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    from_user_id: Type.Integer({ minimum: 1 }),
    recipient_email: Type.String(),
    message: Type.Union([Type.String(), Type.Null()]),
    expires_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** `ticketing.ticket.transferred`: the ticket under its new owner, with its new code. */
export const TicketTransferredFacts = Type.Object(
  {
    transfer_id: Type.Integer({ minimum: 1 }),
    ticket_id: Type.Integer({ minimum: 1 }),
    order_id: Type.Integer({ minimum: 1 }),
    ticket_type_id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    seat_number: Type.Union([Type.String(), Type.Null()]),
    from_user_id: Type.Integer({ minimum: 1 }),
    to_user_id: Type.Integer({ minimum: 1 }),
    qr_code: Type.String(),
    by_admin: Type.Boolean(),
  },
  { additionalProperties: false },
);
