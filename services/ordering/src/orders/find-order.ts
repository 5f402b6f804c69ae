import type { Knex } from 'knex';
import { isAdmin, NotFoundError, type AuthUser } from '@ticketpro/shared';
import type { Order, OrderingModels } from '../models';
import type { WaitingPayment } from './order-view';

/** One order with its items and lapse, or undefined; cancelled (soft-deleted) ones only when asked. */
export async function readOrder(
  models: OrderingModels,
  id: number,
  options: { trx?: Knex.Transaction; lock?: boolean; withDeleted?: boolean } = {},
): Promise<Order | undefined> {
  const query = models.Order.query(options.trx).modify('withLapse').findById(id).withGraphFetched('items');
  if (options.withDeleted) query.withDeleted();
  if (options.lock) query.forUpdate();
  return await query;
}

/** Whether the caller may see the order: its owner or an admin. */
export const canSee = (caller: AuthUser, order: Order): boolean => isAdmin(caller) || order.user_id === caller.id;

/** The order if the caller may see it; anyone else gets 404, as for a missing order, so ids cannot be probed. */
export async function visibleOrder(
  models: OrderingModels,
  caller: AuthUser,
  id: number,
  options: { trx?: Knex.Transaction; lock?: boolean } = {},
): Promise<Order> {
  const order = await readOrder(models, id, options);
  if (!order || !canSee(caller, order)) throw new NotFoundError('Order not found');
  return order;
}

/**
 * The order if the caller may see it (404 otherwise), with the payment it waits on when that
 * payment needs the client's part (a `client_secret` to confirm) or the buyer's (a payment
 * awaited at Paynow, with its instructions), so that reading the order again shows them.
 */
export async function visibleOrderAndWaitingPayment(
  models: OrderingModels,
  caller: AuthUser,
  id: number,
): Promise<{ order: Order; waiting?: WaitingPayment }> {
  const order = await visibleOrder(models, caller, id);
  const payment = await models.Payment.query()
    .where({ order_id: order.id, kind: 'payment' })
    .whereIn('state', ['initiated', 'awaiting'])
    .first();
  return {
    order,
    waiting: payment?.client_secret || payment?.state === 'awaiting' ? { payment, viewer: caller } : undefined,
  };
}
