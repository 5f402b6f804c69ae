import {
  call,
  ConflictError,
  ForbiddenError,
  isAdmin,
  NotFoundError,
  type AuthUser,
  type ServiceCaller,
} from '@ticketpro/shared';
import type { Order } from '../models';
import type { OrderingRuntime } from '../runtime';
import { eventOf, restockUnits } from './catalog-inventory';
import { readOrder } from './find-order';
import { moveOrder } from './order-states';

/**
 * Ticketing's step of a refund: voids the order's tickets, or refuses (409, with its reason) when
 * any of them was used. Idempotent on the order id.
 */
const voidTicketsForRefund = (via: ServiceCaller, orderId: number) =>
  call(via, 'ticketing.tickets.voidForRefund', { order_id: orderId });

/**
 * Refunds a completed order: ticketing voids its tickets first, and refuses (409) if any was
 * used, since a used ticket is never refunded; then the provider gives the money back, catalog
 * puts the units back on sale, and the order becomes refunded with `ordering.order.refunded`.
 * Once this answers, no ticket of the order is admitted any more. All under the order's row
 * lock, so two refunds cannot both run; each step is idempotent, so a refund cut short by a
 * crash (tickets void, money not yet back) is finished by asking for it again.
 */
export async function refundOrder(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
): Promise<Order> {
  const { models, resources, provider } = runtime;
  const found = await readOrder(models, id);
  if (!found) throw new NotFoundError('Order not found');
  await assertMayRefund(call, caller, found);

  const refunded = await resources.db.transaction(async (trx) => {
    const order = (await readOrder(models, id, { trx, lock: true }))!;
    if (order.status !== 'completed') {
      throw new ConflictError(`The order is ${order.status}; only a completed order can be refunded`, { order_id: id });
    }
    await voidTicketsForRefund(call, id);
    const payment = await models.Payment.query(trx).where({ order_id: id, state: 'captured' }).first();
    if (payment) {
      await provider.refund({ paymentId: payment.id, reference: payment.provider_ref ?? '' });
      await models.Payment.query(trx).findById(payment.id).patch({ state: 'refunded' });
    }
    await restockUnits(call, id);
    return moveOrder(trx, models, order, 'refunded');
  });
  return refunded;
}

/** Admins, and the organizer of the order's event; its owner is told no, anyone else learns nothing. */
async function assertMayRefund(call: ServiceCaller, caller: AuthUser, order: Order): Promise<void> {
  if (isAdmin(caller)) return;
  if (caller.role === 'organizer') {
    const organizerId = await eventOf(call, order.event_id).then(
      (event) => event.organizer_id,
      (err) => {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      },
    );
    if (organizerId === caller.id) return;
  }
  if (order.user_id === caller.id)
    throw new ForbiddenError("Only an admin or the event's organizer may refund an order");
  throw new NotFoundError('Order not found');
}
