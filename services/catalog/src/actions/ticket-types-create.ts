import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { createTicketType } from '../ticket-types/create-ticket-type';
import { toTicketTypeView } from '../views/ticket-type-view';

export function createTicketTypeAction(catalog: CatalogAccess) {
  return defineAction('catalog.ticketTypes.create', async (ctx) => {
    const caller = publishingCaller(ctx);
    const ticketType = await createTicketType(catalog(), caller, ctx.params);
    ctx.locals.logger.info(
      { ticketTypeId: ticketType.id, eventId: ticketType.event_id, by: caller.id },
      'ticket type created',
    );
    return toTicketTypeView(ticketType);
  });
}
