import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { ticketOwners } from '../transfers/ticket-owners';

export function ticketOwnersAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.transfers.owners', async (ctx) =>
    ticketOwners(ctx, ticketing(), authenticatedCaller(ctx), ctx.params.id),
  );
}
