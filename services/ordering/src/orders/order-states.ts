import type { Knex } from 'knex';
import type { PaymentStatus } from '@ticketpro/shared';
import type { Order, OrderingModels, Payment } from '../models';
import { recordOrderEvent, recordPartialRefundEvent } from '../domain-events';
import { readOrder } from './find-order';

/** The event each status an order moves to announces; `failed` is nobody else's business. */
const EVENT_OF = {
  completed: 'ordering.order.paid',
  cancelled: 'ordering.order.cancelled',
  expired: 'ordering.order.expired',
  refunded: 'ordering.order.refunded',
} as const;

/**
 * Moves an order (locked by the caller's transaction) to `status`, records the matching event,
 * and soft-deletes it when cancelled, as cancelled orders vanish from reads. Resolves to the order
 * as it is now.
 */
export async function moveOrder(
  trx: Knex.Transaction,
  models: OrderingModels,
  order: Order,
  status: Exclude<PaymentStatus, 'pending' | 'partially_refunded'>,
): Promise<Order> {
  const patch: Record<string, unknown> = { payment_status: status };
  if (status === 'cancelled') patch.deleted_at = new Date();
  await models.Order.query(trx).withDeleted().findById(order.id).patch(patch);
  const moved = (await readOrder(models, order.id, { trx, withDeleted: true }))!;
  if (status in EVENT_OF) await recordOrderEvent(trx, EVENT_OF[status as keyof typeof EVENT_OF], moved);
  return moved;
}

/**
 * Marks an order (locked by the caller's transaction) `partially_refunded` after a refund of
 * some of its tickets, with `ordering.order.partially_refunded` telling that refund.
 */
export async function recordPartialRefund(
  trx: Knex.Transaction,
  models: OrderingModels,
  order: Order,
  refund: Payment,
  ticketIds: number[],
): Promise<Order> {
  await models.Order.query(trx).findById(order.id).patch({ payment_status: 'partially_refunded' });
  const moved = (await readOrder(models, order.id, { trx }))!;
  await recordPartialRefundEvent(trx, moved, { id: refund.id, amount: refund.amount, ticketIds });
  return moved;
}
