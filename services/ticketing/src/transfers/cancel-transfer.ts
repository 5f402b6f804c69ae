import { isAdmin, NotFoundError, type AuthUser } from '@ticketpro/shared';
import type { TicketTransfer } from '../models';
import type { TicketingRuntime } from '../runtime';
import { notOpen } from './accept-transfer';
import { lockedOffer } from './transferable-ticket';

/**
 * The owner who made the offer (or an admin) withdraws it while it is open; anyone else gets
 * 404. Under the ticket's lock, as acceptance is, so a cancel and an accept at the same instant
 * end one way. An offer that has lapsed is recorded as expired and answered 409, as acceptance does.
 */
export async function cancelTransfer(
  { models, resources }: TicketingRuntime,
  caller: AuthUser,
  transferId: number,
): Promise<TicketTransfer> {
  const offer = await models.TicketTransfer.query().findById(transferId);
  if (!offer || (offer.from_user_id !== caller.id && !isAdmin(caller))) throw new NotFoundError('Transfer not found');
  const outcome = await resources.db.transaction(async (trx) => {
    await models.Ticket.query(trx).findById(offer.ticket_id).forUpdate();
    const transfer = await lockedOffer(trx, models, offer);
    // Committed before answering, as acceptance does.
    if (transfer.status !== 'pending') return { closed: transfer };
    const cancelled = await models.TicketTransfer.query(trx).patchAndFetchById(transferId, {
      status: 'cancelled',
      decided_at: trx.fn.now() as never,
    });
    return { cancelled };
  });
  if (outcome.closed) throw notOpen(outcome.closed.id, outcome.closed.status);
  return outcome.cancelled;
}
