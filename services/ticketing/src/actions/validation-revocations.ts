import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { listRevocations } from '../transfers/revocations';

export function revocationsAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.validation.revocations', async (ctx) =>
    listRevocations(ticketing().resources.db, authenticatedCaller(ctx), ctx.params),
  );
}
