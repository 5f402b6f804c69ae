import type { Knex } from 'knex';
import { NotFoundError } from '@ticketpro/shared';
import type { CatalogModels, TicketType } from '../models';

/** Live ticket types of live events, with their availability. */
export function liveTicketTypes(models: CatalogModels, trx?: Knex.Transaction) {
  return models.TicketType.query(trx)
    .modify('withAvailability')
    .whereExists(models.Event.query(trx).whereColumn('events.id', 'ticket_types.event_id'));
}

/** One live ticket type with its availability, or 404. */
export async function findTicketType(models: CatalogModels, id: number, trx?: Knex.Transaction): Promise<TicketType> {
  const ticketType = await liveTicketTypes(models, trx).findById(id);
  if (!ticketType) throw new NotFoundError('Ticket type not found');
  return ticketType;
}
