import type { Knex } from 'knex';
import { keepNewerFacts, type AcceptedEnvelope, type NotificationKind } from '@ticketpro/shared';
import { enqueueMessage } from '../messages/enqueue';

/** Ordering's events the order projection is fed from, in the versions it reads. */
export const ORDER_EVENTS = {
  'ordering.order.created': [1, 2],
  'ordering.order.paid': [1, 2],
  'ordering.order.cancelled': [1, 2],
  'ordering.order.expired': [1, 2],
  'ordering.order.refunded': [1, 2],
} as const;
export type OrderEvent = AcceptedEnvelope<typeof ORDER_EVENTS>;

/**
 * The message each order event sends the buyer. A paid order's message is its ticket delivery,
 * sent once ticketing has issued the tickets (`ticketing.order_tickets.issued`), so none here.
 */
const MESSAGE_OF: Partial<Record<OrderEvent['type'], NotificationKind>> = {
  'ticketpro.ordering.order.created': 'order_confirmation',
  'ticketpro.ordering.order.cancelled': 'order_cancelled',
  'ticketpro.ordering.order.expired': 'order_expired',
  'ticketpro.ordering.order.refunded': 'order_refunded',
};

/**
 * Keeps the order projection in step (a row only takes facts newer than its own) and queues the
 * message the event calls for, once per event: the event's id is the message's cause.
 */
export async function applyOrderEvent(trx: Knex.Transaction, envelope: OrderEvent): Promise<void> {
  const { data, time } = envelope;
  const withPayment = 'payment_method' in data ? data : undefined;
  const facts = {
    user_id: data.user_id,
    event_id: data.event_id,
    payment_status: data.payment_status,
    total_price: data.total_price,
    currency: data.currency,
    items: JSON.stringify(data.items),
    as_of: time,
    ...(withPayment ? { payment_method: withPayment.payment_method, expires_at: withPayment.expires_at } : {}),
  };
  await keepNewerFacts(trx, 'orders', 'order_id', { order_id: data.id, ...facts });

  const kind = MESSAGE_OF[envelope.type];
  if (kind) await enqueueMessage(trx, { source: envelope.id, recipientId: data.user_id, kind, orderId: data.id });
}
