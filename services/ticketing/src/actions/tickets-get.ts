import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { reachableTicket } from '../tickets/ticket-access';
import { toTicketView } from '../tickets/ticket-view';

/** The ticket, for its owner, the organizer of its event, or an admin. */
export function getTicketAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.tickets.get', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { ticket } = await reachableTicket(ctx, ticketing(), caller, ctx.params.id, ['owner', 'organizer', 'admin']);
    return toTicketView(ticket);
  });
}
