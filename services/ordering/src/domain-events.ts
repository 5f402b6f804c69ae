import type { Knex } from 'knex';
import { recordEvent, type EventData } from '@ticketpro/shared';
import type { Order } from './models';

const EVENT_SOURCE = 'ordering';

type OrderEventName =
  | 'ordering.order.created'
  | 'ordering.order.paid'
  | 'ordering.order.cancelled'
  | 'ordering.order.expired'
  | 'ordering.order.refunded';

/**
 * Records an order event in the caller's transaction, with the order as it is now (items
 * loaded); call `relay.notify()` after commit.
 */
export function recordOrderEvent(trx: Knex.Transaction, name: OrderEventName, order: Order) {
  const data: EventData<OrderEventName> = {
    id: order.id,
    user_id: order.user_id,
    event_id: order.event_id,
    total_price: order.total_price,
    currency: order.currency,
    payment_status: order.status,
    items: (order.items ?? []).map((i) => ({
      ticket_type_id: i.ticket_type_id,
      quantity: i.quantity,
      unit_price: i.unit_price,
    })),
  };
  return recordEvent(trx, EVENT_SOURCE, name, data);
}
