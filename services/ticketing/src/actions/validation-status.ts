import { Type } from '@sinclair/typebox';
import { Id, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { reachableTicket } from '../tickets/ticket-access';
import { refusalOf } from '../validation/scanned-ticket';
import { toValidationResult } from '../tickets/ticket-view';

const StatusParams = Type.Object({ ticket_id: Id }, { additionalProperties: false });

/** Where the ticket stands at the door, for its owner, the event's organizer, or an admin. */
export function ticketStatusAction(ticketing: TicketingAccess) {
  return defineAction(StatusParams, async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { ticket } = await reachableTicket(ctx, ticketing(), caller, ctx.params.ticket_id, ['owner', 'organizer', 'admin']);
    const refusal = refusalOf(ticket);
    return toValidationResult(ticket, refusal === undefined, refusal);
  });
}
