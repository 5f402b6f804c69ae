import { ConflictError, type AuthUser, type RequestContext } from '@ticketpro/shared';
import type { TicketingRuntime } from '../runtime';
import type { Ticket } from '../models';
import { recordTicketEvent } from '../domain-events';
import { assertMayScan, refusalOf, scannedTicket } from './scanned-ticket';

/**
 * Admits the ticket: one conditional update, so of any number of scanners at the same instant
 * exactly one finds the ticket valid and not yet checked in. The others are told when it was.
 */
export async function checkIn(
  runtime: TicketingRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  qrCode: string,
): Promise<Ticket> {
  const { models, resources } = runtime;
  assertMayScan(caller);
  const scanned = await scannedTicket(ctx, runtime, caller, qrCode);

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
  return admitted;
}
