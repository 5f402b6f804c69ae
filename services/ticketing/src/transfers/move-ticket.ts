import type { Knex } from 'knex';
import type { Ticket, TicketTransfer } from '../models';
import type { TicketingRuntime } from '../runtime';
import { newTicketCode } from '../codes/new-ticket-code';
import { recordTransferred } from '../domain-events';
import { revokeCode } from './revocations';

/**
 * Hands the locked ticket to its new owner under the transfer, in the caller's transaction: a
 * new secret and signed code, the old code revoked (refused at the door from this commit on,
 * and listed for offline scanners), the change kept in the owner history, and the transfer
 * accepted.
 */
export async function moveTicket(
  trx: Knex.Transaction,
  { models, keyring }: TicketingRuntime,
  ticket: Ticket,
  transfer: TicketTransfer,
  toUserId: number,
): Promise<{ ticket: Ticket; transfer: TicketTransfer }> {
  const moved = await models.Ticket.query(trx).patchAndFetchById(ticket.id, {
    user_id: toUserId,
    ...newTicketCode(keyring, ticket.id, ticket.event_id),
  });
  await revokeCode(trx, ticket, 'transferred');
  const accepted = await models.TicketTransfer.query(trx).patchAndFetchById(transfer.id, {
    status: 'accepted',
    to_user_id: toUserId,
    decided_at: trx.fn.now() as never,
  });
  await trx('ticket_owner_changes').insert({
    ticket_id: ticket.id,
    from_user_id: ticket.user_id,
    to_user_id: toUserId,
    transfer_id: transfer.id,
    changed_at: accepted.decided_at,
  });
  await recordTransferred(trx, moved, accepted, ticket.user_id);
  return { ticket: moved, transfer: accepted };
}
