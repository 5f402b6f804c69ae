import { authenticatedCaller, ConflictError, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { assertMayScan, scannedTicket } from '../validation/scanned-ticket';
import { toValidationResult } from '../tickets/ticket-view';
import { recordTicketEvent } from '../domain-events';

/** Lets a checked-in ticket out: one conditional update, like check-in. */
export function checkOutAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.validation.checkout', async (ctx) => {
    const runtime = ticketing();
    const { models, resources } = runtime;
    const caller = authenticatedCaller(ctx);
    assertMayScan(caller);
    const scanned = await scannedTicket(ctx, runtime, caller, ctx.params.qr_code);

    const left = await resources.db.transaction(async (trx) => {
      const [ticket] = await models.Ticket.query(trx)
        .patch({ checked_out: true })
        .where({ id: scanned.id, status: 'used', checked_in: true, checked_out: false })
        .returning('*');
      if (ticket) await recordTicketEvent(trx, 'ticketing.ticket.checked_out', ticket);
      return ticket;
    });
    if (!left) {
      const current = (await models.Ticket.query().findById(scanned.id))!;
      const detail =
        current.status === 'void'
          ? 'The ticket is void'
          : current.checked_out
            ? 'The ticket is already checked out'
            : 'The ticket is not checked in';
      throw new ConflictError(detail, { ticket_id: current.id, status: current.status });
    }
    ctx.locals.logger.info({ ticketId: left.id, by: caller.id }, 'ticket checked out');
    return toValidationResult(left, false);
  });
}
