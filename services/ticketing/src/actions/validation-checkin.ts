import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { checkIn } from '../validation/check-in';
import { markScanned } from '../validation/mark-scanned';
import { toValidationResult } from '../tickets/ticket-view';

export function checkInAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.validation.checkin', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const admitted = await markScanned(ticketing(), ctx, caller, ctx.params.qr_code, checkIn(caller));
    ctx.locals.logger.info({ ticketId: admitted.id, by: caller.id }, 'ticket checked in');
    return toValidationResult(admitted, true);
  });
}
