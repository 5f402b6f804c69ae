import {
  call,
  ConflictError,
  ForbiddenError,
  isAdmin,
  UnprocessableError,
  type AdminTransferBody,
  type AuthUser,
  type RequestContext,
} from '@ticketpro/shared';
import type { TicketTransfer } from '../models';
import type { TicketingRuntime } from '../runtime';
import { moveTicket } from './move-ticket';
import { expireLapsedOffers, lockTransferableTicket } from './transferable-ticket';

/**
 * An admin hands a ticket to the account of an email directly, with the guarantees of an
 * accepted offer (new code, old one revoked, history, event). The account is found through
 * identity with the admin's own call (admins list accounts anyway, so saying none has the email
 * tells them nothing new: 422). The event's transfer cut-off does not bind an admin. An open
 * offer of the ticket is cancelled by it.
 */
export async function adminTransfer(
  ctx: RequestContext<unknown>,
  runtime: TicketingRuntime,
  caller: AuthUser,
  params: AdminTransferBody,
): Promise<TicketTransfer> {
  if (!isAdmin(caller)) throw new ForbiddenError('Only admins transfer tickets directly');
  const email = params.new_owner_email.toLowerCase();
  const found = await call(ctx, 'identity.users.list', { search: email.slice(0, 100), skip: 0, limit: 100 });
  const recipient = found.items.find((user) => user.email.toLowerCase() === email);
  if (!recipient) {
    throw new UnprocessableError('No account has this email', [
      { field: 'new_owner_email', message: 'no account has this email' },
    ]);
  }
  const { models, resources } = runtime;
  return resources.db.transaction(async (trx) => {
    const ticket = await lockTransferableTicket(trx, models, params.ticket_id);
    if (ticket.user_id === recipient.id) {
      throw new ConflictError('The ticket already belongs to this account', { ticket_id: ticket.id });
    }
    // A lapsed offer stays on record as expired; only one still open is cancelled by this.
    await expireLapsedOffers(trx, models, ticket.id);
    await models.TicketTransfer.query(trx)
      .patch({ status: 'cancelled', decided_at: trx.fn.now() as never })
      .where({ ticket_id: ticket.id, status: 'pending' });
    const transfer = await models.TicketTransfer.query(trx).insertAndFetch({
      ticket_id: ticket.id,
      event_id: ticket.event_id,
      from_user_id: ticket.user_id,
      recipient_email: email,
      message: params.message ?? null,
      status: 'pending',
      by_admin: true,
      expires_at: new Date(),
    });
    return (await moveTicket(trx, runtime, ticket, transfer, recipient.id)).transfer;
  });
}
