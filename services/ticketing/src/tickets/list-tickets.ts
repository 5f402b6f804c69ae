import { isAdmin, paginate, type AuthUser, type PageOf, type ParamsOf } from '@ticketpro/shared';
import type { Ticket, TicketingModels } from '../models';

/** The caller's own tickets (an admin's: everyone's), newest first. */
export async function listTickets(
  models: TicketingModels,
  caller: AuthUser,
  { skip, limit, order_id, event_id, checked_in }: ParamsOf<'ticketing.tickets.list'>,
): Promise<PageOf<Ticket>> {
  const query = models.Ticket.query().orderBy([
    { column: 'created_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  if (!isAdmin(caller)) query.where('user_id', caller.id);
  if (order_id !== undefined) query.where('order_id', order_id);
  if (event_id !== undefined) query.where('event_id', event_id);
  if (checked_in !== undefined) query.where('checked_in', checked_in);
  return paginate(query, { skip, limit });
}
