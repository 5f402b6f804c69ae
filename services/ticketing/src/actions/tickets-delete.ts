import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { cancelTicket } from '../tickets/cancel-ticket';

export function deleteTicketAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.tickets.delete', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { id } = ctx.params;
    await cancelTicket(ticketing(), ctx, caller, id);
    ctx.locals.logger.info({ ticketId: id, by: caller.id }, 'ticket cancelled');
    return { message: 'Ticket cancelled' };
  });
}
