import type { Knex } from 'knex';
import { ConflictError, type RefundedTickets } from '@ticketpro/shared';
import type { TicketingModels } from '../models';
import { voidOrderTickets } from '../issuing/issue-tickets';
import { lockOrderTickets } from '../issuing/order-lock';
import { REFUNDABLE, rememberRefund } from './refunded-orders';

/**
 * The refund's step in ticketing, taken before any money goes back. In one transaction, under
 * the order's lock and with its tickets' rows locked: if any ticket was used (checked in), the
 * refund is refused (409) and nothing changes; otherwise every unused ticket is voided and the
 * order is remembered as refunded, so that its payment, if handled later, issues nothing.
 * A check-in racing it is one conditional UPDATE on a ticket's row: it either commits first (and
 * this finds the ticket used) or waits for this to commit (and finds the ticket void), so never
 * both. Repeating it voids nothing more and answers the same.
 */
export async function voidForRefund(db: Knex, models: TicketingModels, orderId: number): Promise<RefundedTickets> {
  const changes = await db.transaction(async (trx) => {
    await lockOrderTickets(trx, orderId);
    const tickets = await models.Ticket.query(trx).where('order_id', orderId).orderBy('id').forUpdate();
    const used = tickets.filter((t) => t.status === 'used');
    if (used.length > 0) {
      const issued = tickets.filter((t) => t.status !== 'void').length;
      const are = used.length === 1 ? 'is' : 'are';
      throw new ConflictError(
        `${used.length} of the order's ${issued} tickets ${are} already used (checked in); ` +
          'used tickets are never refunded, so the order cannot be refunded',
        { order_id: orderId, used_ticket_ids: used.map((t) => t.id) },
      );
    }
    await rememberRefund(trx, orderId);
    return voidOrderTickets(trx, models, orderId, REFUNDABLE);
  });
  return { order_id: orderId, voided: changes.length };
}
