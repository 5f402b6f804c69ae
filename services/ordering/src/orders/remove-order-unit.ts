import {
  ConflictError,
  unitChangeUnder,
  type AuthUser,
  type RemoveOrderUnitParams,
  type ServiceCaller,
} from '@ticketpro/shared';
import type { Order } from '../models';
import type { OrderingRuntime } from '../runtime';
import { removeHeldUnit } from './catalog-inventory';
import { readOrder, visibleOrder } from './find-order';
import { refuseWhilePaying } from '../payments/payment-under-way';

/**
 * Takes one unit of a ticket type off a pending order: catalog puts it back on sale, then the
 * item's quantity and the order's total fall by it (the item goes at none), under the order's
 * row lock so a payment, a cancel or the sweep cannot interleave; refused while a payment is under
 * way (it would take the old total). The last unit stays: an order
 * of nothing is cancelled instead. Idempotent on `ref`, as adding a unit is.
 */
export async function removeOrderUnit(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  params: RemoveOrderUnitParams,
): Promise<Order> {
  const { models, resources } = runtime;
  return resources.db.transaction(async (trx) => {
    const order = await visibleOrder(models, caller, params.id, { trx, lock: true });
    const applied = await unitChangeUnder(trx, 'removed_units', params.ref, {
      order_id: order.id,
      ticket_type_id: params.ticket_type_id,
    });
    if (applied) {
      return order;
    }
    if (order.status !== 'pending') {
      throw new ConflictError(`The order is ${order.status}; units can only be removed from a pending order`, {
        order_id: order.id,
      });
    }
    await refuseWhilePaying(trx, models, order.id, 'units can be removed from the order');
    const item = order.items?.find((i) => i.ticket_type_id === params.ticket_type_id);
    if (!item) {
      throw new ConflictError(`The order has no unit of ticket type ${params.ticket_type_id}`, { order_id: order.id });
    }
    if (order.items!.reduce((units, i) => units + i.quantity, 0) === 1) {
      throw new ConflictError('This is the last unit of the order; cancel the order instead', { order_id: order.id });
    }

    await removeHeldUnit(call, { order_id: order.id, ticket_type_id: params.ticket_type_id, ref: params.ref });
    const row = trx('order_items').where({ order_id: order.id, ticket_type_id: params.ticket_type_id });
    await (item.quantity === 1 ? row.delete() : row.decrement('quantity', 1));
    await trx('orders')
      .where('id', order.id)
      .update({ total_price: trx.raw('total_price - ?::numeric', [item.unit_price]), updated_at: trx.fn.now() });
    await trx('removed_units').insert({ ref: params.ref, order_id: order.id, ticket_type_id: params.ticket_type_id });
    return (await readOrder(models, order.id, { trx }))!;
  });
}
