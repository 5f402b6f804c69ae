import { randomUUID } from 'node:crypto';
import type { EventData, EventEnvelope, EventName } from '@ticketpro/shared';

let lastId = Math.floor(Math.random() * 1_000_000);

/** An id no other test of the file uses (orders, events, ticket types). */
export function nextId(): number {
  return ++lastId;
}

/** An envelope as the outbox relay publishes it, for events of services these tests do not run. */
export function envelopeOf<N extends EventName>(name: N, data: EventData<N>, time = new Date().toISOString()): EventEnvelope<N> {
  return { id: randomUUID(), type: `ticketpro.${name}`, source: name.split('.')[0], time, specversion: '1.0', dataversion: 1, data };
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
    total_price: (items.reduce((sum, [, quantity]) => sum + quantity, 0) * 10).toFixed(2),
    currency: 'USD',
    payment_status: 'completed',
    items: items.map(([ticket_type_id, quantity]) => ({ ticket_type_id, quantity, unit_price: '10.00' })),
  };
}
