import type { Knex } from 'knex';
import {
  iso,
  serviceEvents,
  type DecimalText,
  type EventData,
  type OutboxEntry,
  type OwnEventName,
} from '@ticketpro/shared';
import type { Order, OrderItem } from './models';

/** Records ordering's own events (only those); they are relayed once they commit. */
const orderingEvents = serviceEvents('ordering');

/** Every event ordering owns tells of an order; these tell only the order as it is now. */
type OrderEventName = Exclude<OwnEventName<'ordering'>, 'ordering.order.partially_refunded'>;

/** What an order event says about the order: the order as it is now, with its items. */
type OrderEventSubject = Pick<
  Order,
  'id' | 'user_id' | 'event_id' | 'total_price' | 'currency' | 'status' | 'payment_method'
> & {
  expires_at: Date | string | null;
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
    payment_method: order.payment_method,
    expires_at: order.expires_at === null ? null : iso(order.expires_at),
    items: (order.items ?? []).map((i) => ({
      ticket_type_id: i.ticket_type_id,
      quantity: i.quantity,
      unit_price: i.unit_price,
    })),
  };
}

/** Records an order event in the caller's transaction, with the order as it is now (items loaded). */
export function recordOrderEvent(trx: Knex.Transaction, name: OrderEventName, order: Order) {
  return orderingEvents.record(trx, name, eventData(order));
}

/** An order event as its outbox row, for a statement that writes it with the change (`recordOrderEventsWith`). */
export function orderEventEntry(name: OrderEventName, order: OrderEventSubject): OutboxEntry<OrderEventName> {
  return orderingEvents.entry(name, eventData(order));
}

/** `ordering.order.partially_refunded`: the order as it is now, and what one refund returned. */
export function recordPartialRefundEvent(
  trx: Knex.Transaction,
  order: Order,
  refund: { id: number; amount: DecimalText; ticketIds: number[] },
) {
  return orderingEvents.record(trx, 'ordering.order.partially_refunded', {
    ...eventData(order),
    refund_id: refund.id,
    refund_amount: refund.amount,
    ticket_ids: refund.ticketIds,
  });
}

export const recordOrderEventsWith = orderingEvents.recordInStatement;
