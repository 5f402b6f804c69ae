import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '@ticketpro/shared';
import type { Ticket, TicketingModels, TicketTransfer } from '../models';

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

/**
 * Marks the ticket's open offers that have lapsed as expired (decided at their expiry), so that
 * no answer shows one as open and a new offer may be made. A lapse needs no sweep: every path
 * that reads or changes an offer records it first, under the ticket's lock.
 */
export async function expireLapsedOffers(trx: Knex.Transaction, models: TicketingModels, ticketId: number) {
  await models.TicketTransfer.query(trx)
    .patch({ status: 'expired', decided_at: trx.raw('expires_at') as never })
    .where({ ticket_id: ticketId, status: 'pending' })
    // The clock as the statement runs, after any wait for the ticket's lock (now() is the transaction's start).
    .where('expires_at', '<=', trx.raw('clock_timestamp()'));
}

/** The offer's row locked, as it stands once a lapse is recorded; the caller holds its ticket's lock. */
export async function lockedOffer(
  trx: Knex.Transaction,
  models: TicketingModels,
  offer: TicketTransfer,
): Promise<TicketTransfer> {
  await expireLapsedOffers(trx, models, offer.ticket_id);
  return (await models.TicketTransfer.query(trx).findById(offer.id).forUpdate())!;
}
