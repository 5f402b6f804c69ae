import type { Knex } from 'knex';
import { outboxEntry, recordEvent, type EventData, type OutboxEntry } from '@ticketpro/shared';
import type { Order, OrderItem } from './models';

const EVENT_SOURCE = 'ordering';

type OrderEventName =
  | 'ordering.order.created'
  | 'ordering.order.paid'
  | 'ordering.order.cancelled'
  | 'ordering.order.expired'
  | 'ordering.order.refunded';

/** What an order event says about the order: the order as it is now, with its items. */
type OrderEventSubject = Pick<Order, 'id' | 'user_id' | 'event_id' | 'total_price' | 'currency' | 'status'> & {
  items?: Pick<OrderItem, 'ticket_type_id' | 'quantity' | 'unit_price'>[];
};

function eventData(order: OrderEventSubject): EventData<OrderEventName> {
  return {
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
}

/**
 * Records an order event in the caller's transaction, with the order as it is now (items
 * loaded); call `relay.notify()` after commit.
 */
export function recordOrderEvent(trx: Knex.Transaction, name: OrderEventName, order: Order) {
  return recordEvent(trx, EVENT_SOURCE, name, eventData(order));
}

/** An order event as its outbox row, for a statement that writes it with the change; call `relay.notify()` after. */
export function orderEventEntry(name: OrderEventName, order: OrderEventSubject): OutboxEntry<OrderEventName> {
  return outboxEntry(EVENT_SOURCE, name, eventData(order));
}
