import type { Knex } from 'knex';
import { ConflictError, type AuthUser, type ServiceCaller } from '@ticketpro/shared';
import type { Order, OrderingModels } from '../models';
import type { OrderingRuntime } from '../runtime';
import { isRefusal, releaseUnits } from './catalog-inventory';
import { visibleOrder } from './find-order';
import { moveOrder } from './order-states';

/**
 * Cancels a pending order: catalog releases its units, then the order is cancelled and
 * soft-deleted, under the order's row lock so a payment or the sweep cannot interleave. If
 * catalog says the units were sold meanwhile (a payment completing), the cancel is refused.
 */
export async function cancelOrder(runtime: OrderingRuntime, call: ServiceCaller, caller: AuthUser, id: number) {
  const { models, resources } = runtime;
  await resources.db.transaction(async (trx) => {
    const order = await visibleOrder(models, caller, id, { trx, lock: true });
    if (order.status === 'completed') {
      throw new ConflictError('The order is paid: request a refund instead', { order_id: id });
    }
    if (order.status !== 'pending') {
      throw new ConflictError(`The order is ${order.status}; only a pending order can be cancelled`, { order_id: id });
    }
    await releaseAndCancel(trx, models, call, order);
  });
}

/**
 * Releases a pending order's units in catalog, then cancels it with `ordering.order.cancelled`;
 * the caller's transaction holds the order's row lock. Refused (409) when catalog sold the
 * units meanwhile.
 */
export async function releaseAndCancel(
  trx: Knex.Transaction,
  models: OrderingModels,
  call: ServiceCaller,
  order: Order,
): Promise<Order> {
  try {
    await releaseUnits(call, order.id);
  } catch (err) {
    if (!isRefusal(err)) throw err;
    throw new ConflictError('A payment of this order is being completed; request a refund instead', {
      order_id: order.id,
    });
  }
  return moveOrder(trx, models, order, 'cancelled');
}
