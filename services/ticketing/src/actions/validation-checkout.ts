import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { checkOut } from '../validation/check-out';
import { markScanned } from '../validation/mark-scanned';
import { toValidationResult } from '../tickets/ticket-view';

export function checkOutAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.validation.checkout', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const left = await markScanned(ticketing(), ctx, caller, ctx.params.qr_code, checkOut);
    ctx.locals.logger.info({ ticketId: left.id, by: caller.id }, 'ticket checked out');
    return toValidationResult(left, false);
  });
}
