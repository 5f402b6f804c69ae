import { NotFoundError, defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { catalogEvents } from '../domain-events';
import { findTicketType } from '../ticket-types/find-ticket-type';
import { managedEvent } from '../ticket-types/managed-event';
import { retireTicketType } from '../ticket-types/retire-ticket-type';

export function deleteTicketTypeAction(catalog: CatalogAccess) {
  return defineAction('catalog.ticketTypes.delete', async (ctx) => {
    const { models, resources } = catalog();
    const caller = publishingCaller(ctx);
    const { id } = ctx.params;
    const { event_id } = await findTicketType(models, id);
    await resources.db.transaction(async (trx) => {
      await managedEvent(trx, models, caller, event_id);
      if (!(await retireTicketType(trx, models, id))) throw new NotFoundError('Ticket type not found');
      await catalogEvents.record(trx, 'catalog.ticket_type.deleted', { id, event_id });
    });
    ctx.locals.logger.info({ ticketTypeId: id, by: caller.id }, 'ticket type deleted');
    return { message: 'Ticket type deleted' };
  });
}
