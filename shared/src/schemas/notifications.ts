import { Type, type Static } from '@sinclair/typebox';
import { Id, Timestamp } from './common';
import { PageQuery } from '../pagination';

export const NOTIFICATION_KINDS = [
  'order_confirmation',
  'ticket_delivery',
  'order_cancelled',
  'order_expired',
  'order_refunded',
  'event_reminder',
  'waitlist_offer',
  'transfer_offer',
  'transfer_accepted',
  'ticket_transferred',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** queued: waiting to be sent (first time or after a failed attempt); sent; failed: given up after its attempts. */
export const NOTIFICATION_STATUSES = ['queued', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export const NotificationSchema = Type.Object(
  {
    id: Id,
    kind: Type.Union(NOTIFICATION_KINDS.map((k) => Type.Literal(k))),
    recipient_id: Type.Union([Id, Type.Null()], {
      description: 'The account it is for; null for a transfer offer, sent to an email that may have no account',
    }),
    order_id: Type.Union([Id, Type.Null()]),
    status: Type.Union(NOTIFICATION_STATUSES.map((s) => Type.Literal(s))),
    attempts: Type.Integer({ minimum: 0, description: 'Send attempts made so far' }),
    provider_message_id: Type.Union([Type.String(), Type.Null()], {
      description:
        "The mail provider's id of the sent message (SMTP Message-ID, SendGrid's x-message-id, the .eml file)",
    }),
    last_error: Type.Union([Type.String(), Type.Null()], { description: "The last failed attempt's error" }),
    next_attempt_at: Type.Union([Timestamp, Type.Null()], { description: 'When a queued message is tried next' }),
    sent_at: Type.Union([Timestamp, Type.Null()]),
    created_at: Timestamp,
  },
  { $id: 'Notification', additionalProperties: false },
);
export type Notification = Static<typeof NotificationSchema>;

export const ListNotificationsQuery = Type.Object(
  {
    ...PageQuery,
    recipient_id: Type.Optional(Id),
    kind: Type.Optional(Type.Union(NOTIFICATION_KINDS.map((k) => Type.Literal(k)))),
    status: Type.Optional(Type.Union(NOTIFICATION_STATUSES.map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);
export type ListNotificationsQuery = Static<typeof ListNotificationsQuery>;

/** A ticket as a PDF document: the bytes base64 in `body` (they cross NATS as JSON). */
export const TicketPdf = Type.Object(
  { content_type: Type.Literal('application/pdf'), body: Type.String() },
  { additionalProperties: false },
);
