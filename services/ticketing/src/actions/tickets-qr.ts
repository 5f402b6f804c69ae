import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { ticketQr } from '../tickets/ticket-qr';

export function ticketQrAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.tickets.qr', async (ctx) =>
    ticketQr(ticketing(), ctx, authenticatedCaller(ctx), ctx.params),
  );
}
