import type { Knex } from 'knex';
import { call, type RequestContext } from '@ticketpro/shared';

/**
 * The organizer of an event, from the projection. One it does not have yet (the event's
 * creation is still on its way) is asked of catalog, and kept; an event catalog does not know
 * (deleted before ticketing heard of it) has no organizer here, so only admins act for it.
 */
export async function organizerOf(
  ctx: RequestContext<unknown>,
  db: Knex,
  eventId: number,
): Promise<number | undefined> {
  const row: { organizer_id: number } | undefined = await db('event_organizers')
    .where('event_id', eventId)
    .first('organizer_id');
  if (row) return row.organizer_id;
  // Taken before asking: a change catalog makes after this moment must still win when its event arrives.
  const asOf = new Date();
  let event: { organizer_id: number };
  try {
    event = await call(ctx, 'catalog.events.get', { id: eventId });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
  await db('event_organizers')
    .insert({ event_id: eventId, organizer_id: event.organizer_id, as_of: asOf })
    .onConflict('event_id')
    .ignore();
  return event.organizer_id;
}
