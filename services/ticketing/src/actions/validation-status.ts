import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { reachableTicket } from '../tickets/ticket-access';
import { refusalOf } from '../validation/scanned-ticket';
import { toValidationResult } from '../tickets/ticket-view';

/** Where the ticket stands at the door, for its owner, the event's organizer, or an admin. */
export function ticketStatusAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.validation.status', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { ticket } = await reachableTicket(ctx, ticketing(), caller, ctx.params.ticket_id, [
      'owner',
      'organizer',
      'admin',
    ]);
    const refusal = refusalOf(ticket);
    return toValidationResult(ticket, refusal === undefined, refusal);
  });
}
