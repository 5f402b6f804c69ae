import { ConflictError, type AuthUser, type RequestContext } from '@ticketpro/shared';
import type { TicketingRuntime } from '../runtime';
import type { Ticket } from '../models';
import { recordTicketEvent } from '../domain-events';
import { assertMayScan, scannedTicket } from './scanned-ticket';

/** Lets a checked-in ticket out: one conditional update, like check-in. */
export async function checkOut(
  runtime: TicketingRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  qrCode: string,
): Promise<Ticket> {
  const { models, resources } = runtime;
  assertMayScan(caller);
  const scanned = await scannedTicket(ctx, runtime, caller, qrCode);

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
  return left;
}
