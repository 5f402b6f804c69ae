import type { Knex } from 'knex';
import type { EventEnvelope } from '@ticketpro/shared';
import type { TicketingModels } from '../models';
import type { TicketKeyring } from '../codes/keyring';
import { issueTickets, voidOrderTickets } from './issue-tickets';

/** The ordering events ticketing acts on. */
export const ORDER_EVENTS = [
  'ordering.order.paid',
  'ordering.order.refunded',
  'ordering.order.cancelled',
  'ordering.order.expired',
] as const;
export type OrderEventName = (typeof ORDER_EVENTS)[number];

/**
 * Paid: the order's tickets are issued. Refunded: all of them are voided. Cancelled or expired:
 * the order was never paid, so only its reserved tickets exist, and they are voided.
 * One order's events are handled one at a time (an advisory lock on the order id), and a refund
 * is remembered, so a payment handled after its refund issues nothing.
 */
export async function applyOrderEvent(
  trx: Knex.Transaction,
  models: TicketingModels,
  keyring: TicketKeyring,
  envelope: EventEnvelope<OrderEventName>,
): Promise<void> {
  const order = envelope.data;
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`ticketing:order:${order.id}`]);
  switch (envelope.type) {
    case 'ticketpro.ordering.order.paid':
      if (await trx('refunded_orders').where('order_id', order.id).first()) return;
      await issueTickets(trx, models, keyring, order);
      return;
    case 'ticketpro.ordering.order.refunded':
      await trx('refunded_orders').insert({ order_id: order.id }).onConflict('order_id').ignore();
      await voidOrderTickets(trx, models, order.id);
      return;
    default:
      await voidOrderTickets(trx, models, order.id, ['reserved']);
  }
}
