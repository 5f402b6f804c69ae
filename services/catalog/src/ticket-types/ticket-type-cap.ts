import type { Knex } from 'knex';
import { ConflictError } from '@ticketpro/shared';
import type { CatalogModels } from '../models';

/**
 * Refuses (409) a ticket type beyond the `limit` one event may have (0: no limit), so one
 * organizer cannot swell the public reads of an event without end. The caller holds the event's
 * row lock (`managedEvent` with `adding`), so two additions at once are counted one after the other.
 */
export async function assertRoomForTicketType(
  trx: Knex.Transaction,
  models: CatalogModels,
  eventId: number,
  limit: number,
): Promise<void> {
  if (limit === 0) return;
  const count = await models.TicketType.query(trx).where('event_id', eventId).resultSize();
  if (count >= limit) {
    throw new ConflictError(`The event already has ${count} ticket types, the most one event may have`, {
      event_id: eventId,
      limit,
      ticket_types: count,
    });
  }
}
