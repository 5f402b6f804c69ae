import { createEvent, createTicketType } from '@ticketpro/tests/support/sales';
import { register, type Registered } from '@ticketpro/tests/support/users';
import { type Api } from '@ticketpro/shared/testing';

/** Registrations at a time: each hashes a password with argon2id, which is slow on purpose. */
const REGISTRATION_BATCH = 25;

/** `count` new users, registered through the API a batch at a time. */
export async function registerMany(
  api: Api,
  count: number,
  overrides: Record<string, unknown> = {},
): Promise<Registered[]> {
  const users: Registered[] = [];
  while (users.length < count) {
    const batch = Math.min(REGISTRATION_BATCH, count - users.length);
    users.push(...(await Promise.all(Array.from({ length: batch }, () => register(api, overrides)))));
  }
  return users;
}

/** A published event of `organizer`'s with one ticket type per entry of `ticketTypes` (overrides of the defaults). */
export async function seedEvent(api: Api, organizer: Registered, ticketTypes: Record<string, unknown>[]) {
  const event = await createEvent(api, organizer.access);
  const types = [];
  for (const overrides of ticketTypes) types.push(await createTicketType(api, organizer.access, event.id, overrides));
  return { eventId: event.id, ticketTypeIds: types.map((t) => t.id) };
}
