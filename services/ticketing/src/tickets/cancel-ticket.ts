import { call, ConflictError, ForbiddenError, type AuthUser, type RequestContext } from '@ticketpro/shared';
import type { TicketingRuntime } from '../runtime';
import { recordTicketEvent } from '../domain-events';
import { reachableTicket } from './ticket-access';

/**
 * Cancels a reserved ticket: ordering takes its unit off the pending order first (catalog puts
 * it back on sale; the reference `ticket-removed:<id>` makes a retry take nothing twice), then
 * the ticket becomes void. A valid ticket was paid for: its money comes back only through the
 * order's refund, so it is refused here. The void is one conditional update, so a check-in at
 * the same moment either wins (409) or finds the ticket void; it also voids a ticket that the
 * order's payment made valid in between, as that payment no longer covers its unit.
 */
export async function cancelTicket(
  runtime: TicketingRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  id: number,
): Promise<void> {
  const { models, resources } = runtime;
  const { ticket, standing } = await reachableTicket(ctx, runtime, caller, id, ['owner', 'organizer', 'admin']);
  if (standing === 'organizer') throw new ForbiddenError('Only the ticket holder or an admin may cancel a ticket');
  if (ticket.status !== 'reserved' || ticket.checked_in) throw cannotCancel(ticket);

  await call(ctx, 'ordering.orders.removeUnit', {
    id: ticket.order_id,
    ticket_type_id: ticket.ticket_type_id,
    ref: `ticket-removed:${id}`,
  });
  await resources.db.transaction(async (trx) => {
    const [voided] = await models.Ticket.query(trx)
      .patch({ status: 'void' })
      .where('id', id)
      .whereIn('status', ['reserved', 'valid'])
      .where('checked_in', false)
      .returning('*');
    if (!voided) throw cannotCancel((await models.Ticket.query(trx).findById(id))!);
    await recordTicketEvent(trx, 'ticketing.ticket.voided', voided);
  });
}

function cannotCancel(ticket: { id: number; status: string; checked_in: boolean }): ConflictError {
  const why = ticket.checked_in
    ? 'A checked-in ticket cannot be cancelled'
    : ticket.status === 'valid'
      ? 'The ticket is paid for; request a refund of the order'
      : `The ticket is already ${ticket.status}`;
  return new ConflictError(why, { ticket_id: ticket.id });
}
