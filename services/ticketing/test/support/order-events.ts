import { outboxEntry, toDecimalText, type EventData, type EventEnvelope, type EventName } from '@ticketpro/shared';

let lastId = Math.floor(Math.random() * 1_000_000);

/** An id no other test of the file uses (orders, events, ticket types). */
export function nextId(): number {
  return ++lastId;
}

/** An envelope as the outbox relay publishes it, for events of services these tests do not run. */
export function envelopeOf<N extends EventName>(
  name: N,
  data: EventData<N>,
  time = new Date().toISOString(),
): EventEnvelope<N> {
  return { ...outboxEntry(name, data).envelope, time };
}

/** An order's facts: `items` as [ticket type id, quantity] pairs. */
export function orderFacts(
  userId: number,
  eventId: number,
  items: [number, number][],
  orderId = nextId(),
): EventData<'ordering.order.paid'> {
  return {
    id: orderId,
    user_id: userId,
    event_id: eventId,
    total_price: toDecimalText(items.reduce((sum, [, quantity]) => sum + quantity, 0) * 10),
    currency: 'USD',
    payment_status: 'completed',
    payment_method: 'ecocash',
    expires_at: null,
    items: items.map(([ticket_type_id, quantity]) => ({ ticket_type_id, quantity, unit_price: toDecimalText(10) })),
  };
}
