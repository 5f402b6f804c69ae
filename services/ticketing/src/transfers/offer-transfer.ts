import {
  ConflictError,
  NotFoundError,
  type AuthUser,
  type OfferTransferParams,
  type RequestContext,
} from '@ticketpro/shared';
import type { TicketTransfer } from '../models';
import type { TicketingRuntime } from '../runtime';
import { recordTransferOffered } from '../domain-events';
import { assertTransfersOpen, transfersCloseAt } from './transfer-window';
import { expireLapsedOffers, lockTransferableTicket } from './transferable-ticket';

/**
 * The owner offers their valid ticket to an email. Nobody's account is looked up: the answer is
 * the same whether or not the email has one, and only the holder of that email, signed in, can
 * accept. The offer lapses after `TRANSFER_OFFER_HOURS`, or when the event's transfers close if
 * that is sooner. A ticket has one open offer at a time (409 while one is).
 */
export async function offerTransfer(
  ctx: RequestContext<unknown>,
  runtime: TicketingRuntime,
  caller: AuthUser,
  params: OfferTransferParams,
): Promise<TicketTransfer> {
  const { models, resources, config } = runtime;
  const notYours = new NotFoundError('Ticket not found');
  const seen = await models.Ticket.query().findById(params.id);
  if (!seen || seen.user_id !== caller.id) throw notYours;
  const closesAt = await transfersCloseAt(ctx, seen.event_id);
  assertTransfersOpen(closesAt, seen.event_id);
  const lapsesAt = new Date(Math.min(Date.now() + config.TRANSFER_OFFER_HOURS * 3_600_000, closesAt.getTime()));

  return resources.db.transaction(async (trx) => {
    const ticket = await lockTransferableTicket(trx, models, params.id);
    if (ticket.user_id !== caller.id) throw notYours;
    await expireLapsedOffers(trx, models, ticket.id);
    const open = await models.TicketTransfer.query(trx).findOne({ ticket_id: ticket.id, status: 'pending' });
    if (open) {
      throw new ConflictError('The ticket already has an open transfer offer: cancel it first', {
        ticket_id: ticket.id,
        transfer_id: open.id,
      });
    }
    const transfer = await models.TicketTransfer.query(trx).insertAndFetch({
      ticket_id: ticket.id,
      event_id: ticket.event_id,
      from_user_id: caller.id,
      recipient_email: params.email.toLowerCase(),
      message: params.message ?? null,
      status: 'pending',
      expires_at: lapsesAt,
    });
    await recordTransferOffered(trx, transfer);
    return transfer;
  });
}
