import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { refusalOf, scannedTicket } from '../validation/scanned-ticket';
import { toValidationResult } from '../tickets/ticket-view';

/** Whether the ticket would be admitted now; changes nothing. */
export function validateTicketAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.validation.validate', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const ticket = await scannedTicket(ctx, ticketing(), caller, ctx.params.qr_code);
    const refusal = refusalOf(ticket);
    return toValidationResult(ticket, refusal === undefined, refusal);
  });
}
