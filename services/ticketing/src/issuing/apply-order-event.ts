import type { Knex } from 'knex';
import { eventNameOf, type AcceptedEnvelope } from '@ticketpro/shared';
import type { TicketingModels } from '../models';
import type { Keyring } from '@ticketpro/shared';
import { issueTickets, voidOrderTickets } from './issue-tickets';
import { lockOrderTickets } from './order-lock';
import { REFUNDABLE, rememberRefund, wasRefunded } from '../refunds/refunded-orders';

/** The ordering events ticketing acts on, in the versions it reads. */
export const ORDER_EVENTS = {
  'ordering.order.paid': [1, 2],
  'ordering.order.refunded': [1, 2],
  'ordering.order.cancelled': [1, 2],
  'ordering.order.expired': [1, 2],
} as const;
export type OrderEvent = AcceptedEnvelope<typeof ORDER_EVENTS>;

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
  keyring: Keyring,
  envelope: OrderEvent,
): Promise<void> {
  const order = envelope.data;
  await lockOrderTickets(trx, order.id);
  switch (eventNameOf(envelope.type)) {
    case 'ordering.order.paid':
      if (await wasRefunded(trx, order.id)) return;
      await issueTickets(trx, models, keyring, order);
      return;
    case 'ordering.order.refunded':
      await rememberRefund(trx, order.id);
      await voidOrderTickets(trx, models, order.id, REFUNDABLE);
      return;
    default:
      await voidOrderTickets(trx, models, order.id, ['reserved']);
  }
}
