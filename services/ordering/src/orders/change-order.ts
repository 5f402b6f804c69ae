import {
  ConflictError,
  ForbiddenError,
  isAdmin,
  type AuthUser,
  type PaymentStatus,
  type ServiceCaller,
  type UpdateOrderBody,
} from '@ticketpro/shared';
import type { Order } from '../models';
import type { OrderingRuntime } from '../runtime';
import { confirmUnits, isRefusal, releaseUnits } from './catalog-inventory';
import { visibleOrder } from './find-order';
import { moveOrder } from './order-states';
import { refuseWhilePaying } from '../payments/payment-under-way';

/**
 * Changes a pending order: its owner (or an admin) the payment method, an admin the status by
 * hand. A manual status keeps the inventory right: completed confirms the sale in catalog,
 * cancelled/failed/expired release the hold, all under the order's row lock. Orders that left
 * `pending` refuse every change (409), as does the method while a payment is under way.
 */
export async function changeOrder(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
  changes: UpdateOrderBody,
): Promise<Order> {
  const { models, resources } = runtime;
  const changed = await resources.db.transaction(async (trx) => {
    const order = await visibleOrder(models, caller, id, { trx, lock: true });
    if (changes.payment_status !== undefined && !isAdmin(caller)) {
      throw new ForbiddenError('Only an admin may set the payment status');
    }
    if (order.status !== 'pending') {
      throw new ConflictError(`The order is ${order.status}; only a pending order can be changed`, { order_id: id });
    }
    if (changes.payment_method !== undefined) {
      await refuseWhilePaying(trx, models, id, 'the payment method can change');
      await models.Order.query(trx).findById(id).patch({ payment_method: changes.payment_method });
    }
    const target = changes.payment_status;
    if (target === undefined || target === 'pending') return visibleOrder(models, caller, id, { trx });
    if (target === 'refunded' || target === 'partially_refunded') {
      throw new ConflictError('Only a completed order can be refunded: use the refund', { order_id: id });
    }
    await settleInventory(call, id, target);
    return moveOrder(trx, models, order, target);
  });
  return changed;
}

/** What catalog must do before an order moves by hand to `target`. */
async function settleInventory(call: ServiceCaller, orderId: number, target: Exclude<PaymentStatus, 'pending'>) {
  try {
    if (target === 'completed') await confirmUnits(call, orderId);
    else await releaseUnits(call, orderId);
  } catch (err) {
    if (!isRefusal(err)) throw err;
    throw new ConflictError(`The order cannot be marked ${target}: ${(err as Error).message}`, { order_id: orderId });
  }
}
