import { call, ConflictError, NotFoundError, type AuthUser, type RequestContext } from '@ticketpro/shared';
import type { TicketTransfer } from '../models';
import type { TicketingRuntime } from '../runtime';
import { moveTicket } from './move-ticket';
import { assertTransfersOpen, transfersCloseAt } from './transfer-window';
import { lockTransferableTicket, lockedOffer } from './transferable-ticket';

/**
 * The recipient accepts: the caller's account email (asked of identity, as the access token
 * carries no email) must be the offer's, in any case; anyone else is answered 404, as for an
 * offer that does not exist, so offers cannot be probed. A lapsed, cancelled or accepted offer
 * is 409, as is a ticket no longer valid or already checked in.
 */
export async function acceptTransfer(
  ctx: RequestContext<unknown>,
  runtime: TicketingRuntime,
  caller: AuthUser,
  transferId: number,
): Promise<TicketTransfer> {
  const { models, resources } = runtime;
  const { email } = await call(ctx, 'identity.me', {});
  const offer = await models.TicketTransfer.query().findById(transferId);
  if (!offer || offer.recipient_email !== email.toLowerCase()) throw new NotFoundError('Transfer not found');
  assertTransfersOpen(await transfersCloseAt(ctx, offer.event_id), offer.event_id);

  const outcome = await resources.db.transaction(async (trx) => {
    const ticket = await lockTransferableTicket(trx, models, offer.ticket_id);
    const transfer = await lockedOffer(trx, models, offer);
    // Committed before answering: a lapse is recorded whatever the caller does next.
    if (transfer.status !== 'pending') return { closed: transfer };
    if (ticket.user_id === caller.id) {
      throw new ConflictError('The ticket is already yours', { ticket_id: ticket.id, transfer_id: transfer.id });
    }
    return { accepted: (await moveTicket(trx, runtime, ticket, transfer, caller.id)).transfer };
  });
  if (outcome.closed) throw notOpen(outcome.closed.id, outcome.closed.status);
  return outcome.accepted;
}

export function notOpen(transferId: number, status: TicketTransfer['status']): ConflictError {
  return new ConflictError(`The transfer offer is ${status}`, { transfer_id: transferId, status });
}
