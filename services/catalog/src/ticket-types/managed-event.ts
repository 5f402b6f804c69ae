import type { Knex } from 'knex';
import { NotFoundError, type AuthUser } from '@ticketpro/shared';
import type { CatalogModels, Event } from '../models';
import { assertOwnerOrAdmin } from '../auth/caller';

/**
 * The live event whose ticket types the caller is about to change, if the caller may. The
 * share lock keeps the event from being deleted until the change commits, so a deletion
 * cannot miss a ticket type added meanwhile. `adding` takes the lock for changing the row
 * instead, so that ticket types added to one event at once are counted one after the other.
 */
export async function managedEvent(
  trx: Knex.Transaction,
  models: CatalogModels,
  caller: AuthUser,
  eventId: number,
  { adding = false }: { adding?: boolean } = {},
): Promise<Event> {
  const query = models.Event.query(trx).findById(eventId);
  const event = await (adding ? query.forNoKeyUpdate() : query.forShare());
  if (!event) throw new NotFoundError('Event not found');
  assertOwnerOrAdmin(caller, event.organizer_id);
  return event;
}
