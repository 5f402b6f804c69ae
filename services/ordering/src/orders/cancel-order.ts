import { ConflictError, type AuthUser } from '@ticketpro/shared';
import type { OrderingRuntime } from '../runtime';
import { isRefusal, releaseUnits, type ServiceCall } from './catalog-inventory';
import { visibleOrder } from './find-order';
import { moveOrder } from './order-states';

/**
 * Cancels a pending order: catalog releases its units, then the order is cancelled and
 * soft-deleted, under the order's row lock so a payment or the sweep cannot interleave. If
 * catalog says the units were sold meanwhile (a payment completing), the cancel is refused.
 */
export async function cancelOrder(runtime: OrderingRuntime, call: ServiceCall, caller: AuthUser, id: number) {
  const { models, resources } = runtime;
  await resources.db.transaction(async (trx) => {
    const order = await visibleOrder(models, caller, id, { trx, lock: true });
    if (order.status === 'completed') {
      throw new ConflictError('The order is paid: request a refund instead', { order_id: id });
    }
    if (order.status !== 'pending') {
      throw new ConflictError(`The order is ${order.status}; only a pending order can be cancelled`, { order_id: id });
    }
    try {
      await releaseUnits(call, id);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      throw new ConflictError('A payment of this order is being completed; request a refund instead', { order_id: id });
    }
    await moveOrder(trx, models, order, 'cancelled');
  });
  resources.relay.notify();
}
