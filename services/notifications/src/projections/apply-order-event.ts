import type { Knex } from 'knex';
import { newerFactsStatement, orderFactsOf, type NotificationKind, type OrderEvent } from '@ticketpro/shared';
import { enqueueMessage } from '../messages/enqueue';

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
 * message the event calls for, once per event: the event's id is the message's cause. Both in
 * one statement when there is a message (every order placed has one).
 */
export async function applyOrderEvent(trx: Knex.Transaction, envelope: OrderEvent): Promise<void> {
  const { data } = envelope;
  const withPayment = 'payment_method' in data ? data : undefined;
  const projected = newerFactsStatement(trx, 'orders', 'order_id', {
    ...orderFactsOf(envelope),
    items: JSON.stringify(data.items),
    ...(withPayment ? { payment_method: withPayment.payment_method, expires_at: withPayment.expires_at } : {}),
  });

  const kind = MESSAGE_OF[envelope.type];
  if (!kind) await projected;
  else await enqueueMessage(trx, { source: envelope.id, recipientId: data.user_id, kind, orderId: data.id }, projected);
}
