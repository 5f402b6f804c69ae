import { randomUUID } from 'node:crypto';
import { waitForTicketCount, type TicketView } from './tickets';
import { type Api } from '@ticketpro/shared/testing';

const DAY_MS = 24 * 60 * 60 * 1000;

/** An event a month ahead, with a name no other test uses, published by `token`'s organizer. */
export async function createEvent(api: Api, token: string, overrides: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/v1/events', {
    token,
    body: {
      event_name: `Mbira Night ${randomUUID()}`,
      description: 'Mbira and marimba until late, under the stars',
      location: 'Harare Gardens',
      date: new Date(Date.now() + 30 * DAY_MS).toISOString(),
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`creating an event failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number };
}

/** General admission at 19.99, 100 units, unless `overrides` say otherwise. */
export async function createTicketType(
  api: Api,
  token: string,
  eventId: number,
  overrides: Record<string, unknown> = {},
) {
  const res = await api('POST', '/api/v1/tickets/types', {
    token,
    body: {
      event_id: eventId,
      name: 'General admission',
      description: 'Standing room in front of the main stage',
      price: 19.99,
      quantity: 100,
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`creating a ticket type failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number; price: number; quantity: number };
}

/** Orders `quantity` units of one ticket type as `token`'s user, pays, and waits for the tickets (in id order). */
export async function buyTickets(api: Api, token: string, eventId: number, ticketTypeId: number, quantity = 1) {
  const placed = await api('POST', '/api/v1/orders', {
    token,
    body: { event_id: eventId, payment_method: 'ecocash', items: [{ ticket_type_id: ticketTypeId, quantity }] },
  });
  if (placed.status !== 201)
    throw new Error(`placing an order failed: ${placed.status} ${JSON.stringify(placed.body)}`);
  const orderId = placed.body.id as number;
  const paid = await api('POST', `/api/v1/orders/${orderId}/pay`, { token });
  if (paid.status !== 200) throw new Error(`paying an order failed: ${paid.status} ${JSON.stringify(paid.body)}`);
  const tickets: TicketView[] = await waitForTicketCount(api, token, orderId, quantity);
  return { orderId, tickets: tickets.sort((a, b) => a.id - b.id) };
}
