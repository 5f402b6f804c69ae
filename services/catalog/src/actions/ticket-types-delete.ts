import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { deleteTicketType } from '../ticket-types/delete-ticket-type';

export function deleteTicketTypeAction(catalog: CatalogAccess) {
  return defineAction('catalog.ticketTypes.delete', async (ctx) => {
    const caller = publishingCaller(ctx);
    const { id } = ctx.params;
    await deleteTicketType(catalog(), caller, id);
    ctx.locals.logger.info({ ticketTypeId: id, by: caller.id }, 'ticket type deleted');
    return { message: 'Ticket type deleted' };
  });
}
