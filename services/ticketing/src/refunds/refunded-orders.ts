import type { Knex } from 'knex';
import type { Ticket } from '../models';

/** The states of a ticket a refund voids. A used ticket never is: its holder was admitted. */
export const REFUNDABLE: Ticket['status'][] = ['reserved', 'valid'];

/** Remembers that the order was refunded, so that its payment, if handled later, issues nothing. */
export async function rememberRefund(trx: Knex.Transaction, orderId: number): Promise<void> {
  await trx('refunded_orders').insert({ order_id: orderId }).onConflict('order_id').ignore();
}

export async function wasRefunded(trx: Knex.Transaction, orderId: number): Promise<boolean> {
  return (await trx('refunded_orders').where('order_id', orderId).first()) !== undefined;
}
