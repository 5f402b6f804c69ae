import type { Knex } from 'knex';
import { lockFor } from '@ticketpro/shared';

/**
 * Takes the transaction-scoped lock of one order's tickets: the order's events and the refund's
 * step are handled one at a time per order, so a payment and its refund never interleave.
 */
export async function lockOrderTickets(trx: Knex.Transaction, orderId: number): Promise<void> {
  await lockFor(trx, 'ticketing.order.tickets', orderId);
}
