import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { updateTicket } from '../tickets/update-ticket';
import { toTicketView } from '../tickets/ticket-view';

export function updateTicketAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.tickets.update', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { id, ...changes } = ctx.params;
    const updated = await updateTicket(ticketing(), ctx, caller, id, changes);
    ctx.locals.logger.info({ ticketId: id, by: caller.id, fields: Object.keys(changes) }, 'ticket updated');
    return toTicketView(updated);
  });
}
