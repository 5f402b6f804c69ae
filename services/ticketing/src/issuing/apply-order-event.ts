import type { Knex } from 'knex';
import type { EventEnvelope } from '@ticketpro/shared';
import type { TicketingModels } from '../models';
import type { TicketKeyring } from '../codes/keyring';
import { issueTickets, voidOrderTickets } from './issue-tickets';
import { lockOrderTickets } from './order-lock';
import { REFUNDABLE, rememberRefund, wasRefunded } from '../refunds/refunded-orders';

/** The ordering events ticketing acts on. */
export const ORDER_EVENTS = [
  'ordering.order.paid',
  'ordering.order.refunded',
  'ordering.order.cancelled',
  'ordering.order.expired',
] as const;
export type OrderEventName = (typeof ORDER_EVENTS)[number];

/**
 * Paid: the order's tickets are issued. Refunded: its tickets were voided by the refund's own
 * step (`tickets.voidForRefund`) before the refund answered; any left unused are voided here
 * too, and a used one never is. Cancelled or expired: the order was never paid, so only its
 * reserved tickets exist, and they are voided. One order's events are handled one at a time
 * (an advisory lock on the order id), and a refund is remembered, so a payment handled after its
 * refund issues nothing.
 */
export async function applyOrderEvent(
  trx: Knex.Transaction,
  models: TicketingModels,
  keyring: TicketKeyring,
  envelope: EventEnvelope<OrderEventName>,
): Promise<void> {
  const order = envelope.data;
  await lockOrderTickets(trx, order.id);
  switch (envelope.type) {
    case 'ticketpro.ordering.order.paid':
      if (await wasRefunded(trx, order.id)) return;
      await issueTickets(trx, models, keyring, order);
      return;
    case 'ticketpro.ordering.order.refunded':
      await rememberRefund(trx, order.id);
      await voidOrderTickets(trx, models, order.id, REFUNDABLE);
      return;
    default:
      await voidOrderTickets(trx, models, order.id, ['reserved']);
  }
}
