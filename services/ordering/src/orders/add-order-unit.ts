import {
  ConflictError,
  iso,
  unitChangeUnder,
  type AddOrderUnitParams,
  type AuthUser,
  type ServiceCaller,
  type UnitOfOrder,
} from '@ticketpro/shared';
import type { Order } from '../models';
import type { OrderingRuntime } from '../runtime';
import { addHeldUnit, holderOf } from './catalog-inventory';
import { readOrder, visibleOrder } from './find-order';
import { refuseWhilePaying } from '../payments/payment-under-way';

/**
 * Adds one unit of a ticket type to a pending order: catalog holds it (or refuses: sold out),
 * then the item's quantity and the order's total rise by it, under the order's row lock so a
 * payment, a cancel or the sweep cannot interleave; refused while a payment is under way (it
 * would take the old total). Idempotent on `ref`: catalog answers a
 * repeated ref with the unit it added, and a ref recorded here answers without asking catalog.
 * Unit numbers only grow: a unit removed earlier keeps its number (its void ticket holds it).
 */
export async function addOrderUnit(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  params: AddOrderUnitParams,
): Promise<{ order: Order; unit: number }> {
  const { models, resources } = runtime;
  return resources.db.transaction(async (trx) => {
    const order = await visibleOrder(models, caller, params.id, { trx, lock: true });
    const applied = await unitChangeUnder<UnitOfOrder & { unit: number }>(trx, 'added_units', params.ref, {
      order_id: order.id,
      ticket_type_id: params.ticket_type_id,
    });
    if (applied) {
      return { order, unit: applied.unit };
    }
    if (order.status !== 'pending') {
      throw new ConflictError(`The order is ${order.status}; units can only be added to a pending order`, {
        order_id: order.id,
      });
    }
    await refuseWhilePaying(trx, models, order.id, 'units can be added to the order');

    // A pending order always has an expiry (its hold's), so `expires_at` is set here.
    const added = await addHeldUnit(call, {
      order_id: order.id,
      ticket_type_id: params.ticket_type_id,
      holder: holderOf(caller, order.user_id),
      ref: params.ref,
      expires_at: iso(order.expires_at!),
    });
    const [{ removed }] = await trx('removed_units')
      .where({ order_id: order.id, ticket_type_id: params.ticket_type_id })
      .count<{ removed: string }[]>('* as removed');
    const unit = added.quantity + Number(removed);
    // Catalog's quantity is set rather than added to: it already counts this unit.
    await trx('order_items')
      .insert({
        order_id: order.id,
        ticket_type_id: params.ticket_type_id,
        quantity: added.quantity,
        unit_price: added.unit_price,
      })
      .onConflict(['order_id', 'ticket_type_id'])
      .merge(['quantity']);
    await trx('orders')
      .where('id', order.id)
      .update({ total_price: trx.raw('total_price + ?::numeric', [added.unit_price]), updated_at: trx.fn.now() });
    await trx('added_units').insert({
      ref: params.ref,
      order_id: order.id,
      ticket_type_id: params.ticket_type_id,
      unit,
    });
    return { order: (await readOrder(models, order.id, { trx }))!, unit };
  });
}
