import { ConflictError, ForbiddenError, IdParams, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { reachableTicket } from '../tickets/ticket-access';
import { recordTicketEvent } from '../domain-events';

/**
 * Cancels a ticket: it becomes void, in one conditional update so a check-in at the same
 * moment either wins (409 here) or finds the ticket void. Its unit is not returned to
 * inventory here: that needs an ordering action that does not exist yet.
 */
export function deleteTicketAction(ticketing: TicketingAccess) {
  return defineAction(IdParams, async (ctx) => {
    const runtime = ticketing();
    const { models, resources } = runtime;
    const caller = authenticatedCaller(ctx);
    const { id } = ctx.params;
    const { standing } = await reachableTicket(ctx, runtime, caller, id, ['owner', 'organizer', 'admin']);
    if (standing === 'organizer') throw new ForbiddenError('Only the ticket holder or an admin may cancel a ticket');

    await resources.db.transaction(async (trx) => {
      const [voided] = await models.Ticket.query(trx)
        .patch({ status: 'void' })
        .where('id', id)
        .whereIn('status', ['reserved', 'valid'])
        .where('checked_in', false)
        .returning('*');
      if (!voided) {
        const current = (await models.Ticket.query(trx).findById(id))!;
        throw new ConflictError(
          current.checked_in ? 'A checked-in ticket cannot be cancelled' : `The ticket is already ${current.status}`,
          { ticket_id: id },
        );
      }
      await recordTicketEvent(trx, 'ticketing.ticket.voided', voided);
    });
    resources.relay.notify();
    ctx.locals.logger.info({ ticketId: id, by: caller.id }, 'ticket cancelled');
    return { message: 'Ticket cancelled' };
  });
}
