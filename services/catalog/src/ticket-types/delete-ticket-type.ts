import { NotFoundError, type AuthUser } from '@ticketpro/shared';
import type { CatalogRuntime } from '../runtime';
import { catalogEvents } from '../domain-events';
import { findTicketType } from './find-ticket-type';
import { managedEvent } from './managed-event';
import { retireTicketType } from './retire-ticket-type';

/** Deletes a ticket type of an event the caller manages, recording `catalog.ticket_type.deleted`. */
export async function deleteTicketType(catalog: CatalogRuntime, caller: AuthUser, id: number): Promise<void> {
  const { models, resources } = catalog;
  const { event_id } = await findTicketType(models, id);
  await resources.db.transaction(async (trx) => {
    await managedEvent(trx, models, caller, event_id);
    if (!(await retireTicketType(trx, models, id))) throw new NotFoundError('Ticket type not found');
    await catalogEvents.record(trx, 'catalog.ticket_type.deleted', { id, event_id });
  });
}
