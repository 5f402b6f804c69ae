import { isAdmin, NotFoundError, type AuthUser } from '@ticketpro/shared';
import type { TicketTransfer } from '../models';
import type { TicketingRuntime } from '../runtime';
import { notOpen } from './accept-transfer';

/**
 * The owner who made the offer (or an admin) withdraws it while it is open; anyone else gets
 * 404. Under the ticket's lock, as acceptance is, so a cancel and an accept at the same instant
 * end one way.
 */
export async function cancelTransfer(
  { models, resources }: TicketingRuntime,
  caller: AuthUser,
  transferId: number,
): Promise<TicketTransfer> {
  const missing = new NotFoundError('Transfer not found');
  const offer = await models.TicketTransfer.query().findById(transferId);
  if (!offer || (offer.from_user_id !== caller.id && !isAdmin(caller))) throw missing;
  return resources.db.transaction(async (trx) => {
    await models.Ticket.query(trx).findById(offer.ticket_id).forUpdate();
    const transfer = (await models.TicketTransfer.query(trx).findById(transferId).forUpdate())!;
    const lapsed = transfer.status === 'pending' && transfer.expires_at.getTime() <= Date.now();
    if (transfer.status !== 'pending' || lapsed) throw notOpen(transferId, lapsed ? 'expired' : transfer.status);
    return models.TicketTransfer.query(trx).patchAndFetchById(transferId, {
      status: 'cancelled',
      decided_at: trx.fn.now() as never,
    });
  });
}
