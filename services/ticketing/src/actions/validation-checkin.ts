import { authenticatedCaller, ConflictError, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { assertMayScan, refusalOf, scannedTicket } from '../validation/scanned-ticket';
import { toValidationResult } from '../tickets/ticket-view';
import { recordTicketEvent } from '../domain-events';

/**
 * Admits the ticket: one conditional update, so of any number of scanners at the same instant
 * exactly one finds the ticket valid and not yet checked in. The others are told when it was.
 */
export function checkInAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.validation.checkin', async (ctx) => {
    const runtime = ticketing();
    const { models, resources } = runtime;
    const caller = authenticatedCaller(ctx);
    assertMayScan(caller);
    const scanned = await scannedTicket(ctx, runtime, caller, ctx.params.qr_code);

    const admitted = await resources.db.transaction(async (trx) => {
      const [ticket] = await models.Ticket.query(trx)
        .patch({ status: 'used', checked_in: true, validated_at: trx.fn.now() as never, validated_by: caller.id })
        .where({ id: scanned.id, status: 'valid', checked_in: false })
        .returning('*');
      if (ticket) await recordTicketEvent(trx, 'ticketing.ticket.checked_in', ticket);
      return ticket;
    });
    if (!admitted) {
      const current = (await models.Ticket.query().findById(scanned.id))!;
      throw new ConflictError(refusalOf(current) ?? 'The ticket cannot be checked in', {
        ticket_id: current.id,
        status: current.status,
        validated_at: current.validated_at === null ? null : new Date(current.validated_at).toISOString(),
        validated_by: current.validated_by,
      });
    }
    ctx.locals.logger.info({ ticketId: admitted.id, by: caller.id }, 'ticket checked in');
    return toValidationResult(admitted, true);
  });
}
