import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { reserveTicket } from '../tickets/reserve-ticket';
import { toTicketView } from '../tickets/ticket-view';

/** Adds a unit to the caller's pending order as a `reserved` ticket (the owner or an admin). */
export function createTicketAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.tickets.create', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const ticket = await reserveTicket(ticketing(), ctx, ctx.params);
    ctx.locals.logger.info(
      { ticketId: ticket.id, orderId: ticket.order_id, unit: ticket.unit, by: caller.id },
      'ticket reserved',
    );
    return toTicketView(ticket);
  });
}
