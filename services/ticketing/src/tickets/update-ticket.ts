import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type AuthUser,
  type ParamsOf,
  type RequestContext,
} from '@ticketpro/shared';
import type { TicketingRuntime } from '../runtime';
import type { Ticket } from '../models';
import { recordTicketEvent, type TicketEventName } from '../domain-events';
import { reachableTicket } from './ticket-access';

type TicketChanges = Omit<ParamsOf<'ticketing.tickets.update'>, 'id'>;

/**
 * The owner sets `seat_number`; the event's organizer and admins also check the ticket in or
 * out by hand (a door without a scanner). Under the ticket's row lock, so a scan at the same
 * moment is either before or after this change, never half of it.
 */
export async function updateTicket(
  runtime: TicketingRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  id: number,
  changes: TicketChanges,
): Promise<Ticket> {
  const { models, resources } = runtime;
  const { standing } = await reachableTicket(ctx, runtime, caller, id, ['owner', 'organizer', 'admin']);
  if (standing === 'owner' && (changes.checked_in !== undefined || changes.checked_out !== undefined)) {
    throw new ForbiddenError("Only the event's organizer or an admin may check a ticket in or out");
  }

  return resources.db.transaction(async (trx) => {
    const ticket = await models.Ticket.query(trx).findById(id).forUpdate();
    if (!ticket) throw new NotFoundError('Ticket not found');
    if (ticket.status === 'void') throw new ConflictError('The ticket is void', { ticket_id: id });
    const { patch, events } = checkInChanges(ticket, changes, caller.id);
    if (changes.seat_number !== undefined) patch.seat_number = changes.seat_number;
    const saved = await models.Ticket.query(trx).patchAndFetchById(id, patch);
    for (const name of events) await recordTicketEvent(trx, name, saved);
    return saved;
  });
}

/** What setting `checked_in`/`checked_out` by hand changes, with the rules a scanner follows too. */
function checkInChanges(
  ticket: Ticket,
  changes: { checked_in?: boolean; checked_out?: boolean },
  by: number,
): { patch: Partial<Ticket>; events: TicketEventName[] } {
  const patch: Partial<Ticket> = {};
  const events: TicketEventName[] = [];
  let checkedIn = ticket.checked_in;
  if (changes.checked_in === true && !ticket.checked_in) {
    if (ticket.status !== 'valid') {
      throw new ConflictError(`The ticket is ${ticket.status}; only a valid ticket can be checked in`, {
        ticket_id: ticket.id,
      });
    }
    Object.assign(patch, { checked_in: true, status: 'used', validated_at: new Date(), validated_by: by });
    events.push('ticketing.ticket.checked_in');
    checkedIn = true;
  } else if (changes.checked_in === false && ticket.checked_in) {
    // Undoing a mistaken check-in makes the ticket valid again.
    Object.assign(patch, {
      checked_in: false,
      checked_out: false,
      status: 'valid',
      validated_at: null,
      validated_by: null,
    });
    checkedIn = false;
  }
  if (changes.checked_out === true && !ticket.checked_out) {
    if (!checkedIn) throw new ConflictError('The ticket is not checked in', { ticket_id: ticket.id });
    patch.checked_out = true;
    events.push('ticketing.ticket.checked_out');
  } else if (changes.checked_out === false && ticket.checked_out && checkedIn) {
    patch.checked_out = false;
  }
  return { patch, events };
}
