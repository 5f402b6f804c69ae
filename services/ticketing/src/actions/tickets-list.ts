import { authenticatedCaller, isAdmin, defineAction, paginate } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { toTicketView } from '../tickets/ticket-view';

/** The caller's own tickets (an admin's: everyone's), newest first. */
export function listTicketsAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.tickets.list', async (ctx) => {
    const { models } = ticketing();
    const caller = authenticatedCaller(ctx);
    const { skip, limit, order_id, event_id, checked_in } = ctx.params;
    const query = models.Ticket.query().orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    if (!isAdmin(caller)) query.where('user_id', caller.id);
    if (order_id !== undefined) query.where('order_id', order_id);
    if (event_id !== undefined) query.where('event_id', event_id);
    if (checked_in !== undefined) query.where('checked_in', checked_in);
    const page = await paginate(query, { skip, limit });
    return { ...page, items: page.items.map(toTicketView) };
  });
}
