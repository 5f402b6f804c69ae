import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { updateTicketType } from '../ticket-types/update-ticket-type';
import { toTicketTypeView } from '../views/ticket-type-view';

export function updateTicketTypeAction(catalog: CatalogAccess) {
  return defineAction('catalog.ticketTypes.update', async (ctx) => {
    const caller = publishingCaller(ctx);
    const { id, ...changes } = ctx.params;
    const ticketType = await updateTicketType(catalog(), caller, id, changes);
    ctx.locals.logger.info(
      { ticketTypeId: id, by: caller.id, fields: Object.keys(ctx.params).filter((f) => f !== 'id') },
      'ticket type updated',
    );
    return toTicketTypeView(ticketType);
  });
}
