import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { listTickets } from '../tickets/list-tickets';
import { toTicketView } from '../tickets/ticket-view';

export function listTicketsAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.tickets.list', async (ctx) => {
    const page = await listTickets(ticketing().models, authenticatedCaller(ctx), ctx.params);
    return { ...page, items: page.items.map(toTicketView) };
  });
}
