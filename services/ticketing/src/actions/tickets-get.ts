import { IdParams, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { reachableTicket } from '../tickets/ticket-access';
import { toTicketView } from '../tickets/ticket-view';

/** The ticket, for its owner, the organizer of its event, or an admin. */
export function getTicketAction(ticketing: TicketingAccess) {
  return defineAction(IdParams, async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { ticket } = await reachableTicket(ctx, ticketing(), caller, ctx.params.id, ['owner', 'organizer', 'admin']);
    return toTicketView(ticket);
  });
}
