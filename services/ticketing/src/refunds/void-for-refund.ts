import type { Knex } from 'knex';
import { ConflictError, ProblemError, type RefundedTickets } from '@ticketpro/shared';
import type { Ticket, TicketingModels } from '../models';
import { voidOrderTickets } from '../issuing/issue-tickets';
import { lockOrderTickets } from '../issuing/order-lock';
import { recordTicketEvent } from '../domain-events';
import { REFUNDABLE, rememberRefund } from './refunded-orders';
import { revokeCode } from '../transfers/revocations';

/**
 * The refund's step in ticketing, taken before any money goes back. In one transaction, under
 * the order's lock and with its tickets' rows locked: if any ticket to refund was used (checked
 * in) or transferred to another owner, the refund is refused (409) and nothing changes. The
 * codes of the valid tickets it voids are listed as revoked for offline scanners. A whole refund voids every unused ticket
 * and remembers the order as refunded, so that its payment, if handled later, issues nothing; a
 * partial one (`ticketIds`) voids exactly those tickets and remembers each. A check-in racing it
 * is one conditional UPDATE on a ticket's row: it either commits first (and this finds the ticket
 * used) or waits for this to commit (and finds the ticket void), so never both. Repeating it
 * voids nothing more and answers the same.
 */
export async function voidForRefund(
  db: Knex,
  models: TicketingModels,
  orderId: number,
  ticketIds?: number[],
): Promise<RefundedTickets> {
  return db.transaction(async (trx) => {
    await lockOrderTickets(trx, orderId);
    const tickets = await models.Ticket.query(trx).where('order_id', orderId).orderBy('id').forUpdate();
    if (!ticketIds) {
      refuseUsed(tickets, tickets, orderId, 'the order cannot be refunded');
      await refuseTransferred(trx, tickets, orderId);
      await rememberRefund(trx, orderId);
      const voided = await voidOrderTickets(trx, models, orderId, REFUNDABLE);
      return { order_id: orderId, voided: voided.length };
    }

    const chosen = tickets.filter((t) => ticketIds.includes(t.id));
    const unknown = ticketIds.filter((id) => !chosen.some((t) => t.id === id));
    if (unknown.length > 0) {
      throw new ProblemError('not-found', `No such ticket of order ${orderId}: ${unknown.join(', ')}`, {
        order_id: orderId,
        unknown_ticket_ids: unknown,
      });
    }
    refuseUsed(chosen, tickets, orderId, 'they cannot be refunded');
    await refuseTransferred(trx, chosen, orderId);
    const refunded = new Set<number>(await trx('refunded_tickets').whereIn('ticket_id', ticketIds).pluck('ticket_id'));
    const voidedOtherwise = chosen.filter((t) => t.status === 'void' && !refunded.has(t.id));
    if (voidedOtherwise.length > 0) {
      throw new ConflictError('Void tickets (cancelled, not refunded) cannot be refunded', {
        order_id: orderId,
        void_ticket_ids: voidedOtherwise.map((t) => t.id),
      });
    }
    const toVoid = chosen.filter((t) => REFUNDABLE.includes(t.status));
    for (const ticket of toVoid) {
      if (ticket.status === 'valid') await revokeCode(trx, ticket, 'refunded');
      const voided = await models.Ticket.query(trx).patchAndFetchById(ticket.id, { status: 'void' });
      await recordTicketEvent(trx, 'ticketing.ticket.voided', voided);
      await trx('refunded_tickets').insert({ ticket_id: ticket.id, order_id: orderId });
    }
    return {
      order_id: orderId,
      voided: toVoid.length,
      tickets: chosen.map((t) => ({ id: t.id, ticket_type_id: t.ticket_type_id })),
    };
  });
}

/** 409 when any of `chosen` was used: a used ticket is never refunded. */
function refuseUsed(chosen: Ticket[], all: Ticket[], orderId: number, consequence: string): void {
  const used = chosen.filter((t) => t.status === 'used');
  if (used.length === 0) return;
  const issued = all.filter((t) => t.status !== 'void').length;
  const are = used.length === 1 ? 'is' : 'are';
  throw new ConflictError(
    `${used.length} of the order's ${issued} tickets ${are} already used (checked in); ` +
      `used tickets are never refunded, so ${consequence}`,
    { order_id: orderId, used_ticket_ids: used.map((t) => t.id) },
  );
}

/**
 * 409 when any of `chosen` was transferred: its holder is no longer the buyer, and a refund to
 * the buyer would void a ticket someone else now holds.
 */
async function refuseTransferred(trx: Knex.Transaction, chosen: Ticket[], orderId: number): Promise<void> {
  const transferred: number[] = await trx('ticket_owner_changes')
    .whereIn(
      'ticket_id',
      chosen.map((t) => t.id),
    )
    .distinct()
    .pluck('ticket_id');
  if (transferred.length === 0) return;
  throw new ConflictError('Transferred tickets are not refunded: they belong to someone else now', {
    order_id: orderId,
    transferred_ticket_ids: transferred.sort((a, b) => a - b),
  });
}
