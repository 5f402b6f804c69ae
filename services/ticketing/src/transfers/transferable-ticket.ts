import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '@ticketpro/shared';
import type { Ticket, TicketingModels } from '../models';

/**
 * The ticket's row, locked for the rest of the transaction: a check-in (one conditional UPDATE
 * on the same row, matching the code it scanned) waits for a transfer holding it and then finds
 * the code replaced, or commits first and the transfer finds the ticket used. Only a valid
 * ticket not checked in moves; a reserved (unpaid), used or void one is 409.
 */
export async function lockTransferableTicket(
  trx: Knex.Transaction,
  models: TicketingModels,
  ticketId: number,
): Promise<Ticket> {
  const ticket = await models.Ticket.query(trx).findById(ticketId).forUpdate();
  if (!ticket) throw new NotFoundError('Ticket not found');
  if (ticket.status !== 'valid' || ticket.checked_in) {
    const why =
      ticket.status === 'reserved'
        ? 'it is reserved: its order is not paid'
        : ticket.status === 'void'
          ? 'it is void'
          : 'it is used (checked in)';
    throw new ConflictError(`The ticket cannot be transferred: ${why}`, {
      ticket_id: ticket.id,
      status: ticket.status,
    });
  }
  return ticket;
}

/** Marks the ticket's open offers that have lapsed as expired, so a new one may be made. */
export async function expireLapsedOffers(trx: Knex.Transaction, models: TicketingModels, ticketId: number) {
  await models.TicketTransfer.query(trx)
    .patch({ status: 'expired', decided_at: trx.raw('expires_at') as never })
    .where({ ticket_id: ticketId, status: 'pending' })
    .where('expires_at', '<=', trx.fn.now());
}
