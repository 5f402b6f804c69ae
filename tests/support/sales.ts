import { randomUUID } from 'node:crypto';
import type { Api } from './http';

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
export async function createTicketType(api: Api, token: string, eventId: number, overrides: Record<string, unknown> = {}) {
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
