import { iso, isoOrNull, type Notification } from '@ticketpro/shared';

/** The columns a notification's view is made of. */
export const NOTIFICATION_COLUMNS = [
  'id',
  'kind',
  'recipient_id',
  'order_id',
  'status',
  'attempts',
  'provider_message_id',
  'last_error',
  'next_attempt_at',
  'sent_at',
  'created_at',
] as const;

type NotificationRow = Omit<Notification, 'next_attempt_at' | 'sent_at' | 'created_at'> & {
  next_attempt_at: Date | null;
  sent_at: Date | null;
  created_at: Date;
};

/** A message as the API shows it: its state, never its content. */
export function toNotificationView(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind,
    recipient_id: row.recipient_id,
    order_id: row.order_id,
    status: row.status,
    attempts: row.attempts,
    provider_message_id: row.provider_message_id,
    last_error: row.last_error,
    next_attempt_at: isoOrNull(row.next_attempt_at),
    sent_at: isoOrNull(row.sent_at),
    created_at: iso(row.created_at),
  };
}
