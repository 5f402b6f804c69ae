import {
  ConflictError,
  NotFoundError,
  toDecimalText,
  UnprocessableError,
  type AuthUser,
  type CashPaymentBody,
  type Order as OrderView,
  type ServiceCaller,
} from '@ticketpro/shared';
import type { OrderingRuntime } from '../runtime';
import { releaseUnitsQuietly } from '../orders/catalog-inventory';
import { readOrder } from '../orders/find-order';
import { assertOrganizerOrAdmin } from '../orders/order-access';
import { moveOrder } from '../orders/order-states';
import { settle } from './pay-order';

/**
 * Cash taken at the door by the event's organizer or an admin: recorded (who took it, how much)
 * as a captured `cash` payment, then the order completes like any paid order: catalog confirms
 * the sale and tickets are issued. The amount must be the order's total (422); an order that is
 * not pending, lapsed, or has another payment under way is refused (409) and nothing is recorded.
 */
export async function recordCashPayment(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
  body: CashPaymentBody,
): Promise<OrderView> {
  const { models, resources, logger } = runtime;
  const found = await readOrder(models, id);
  if (!found) throw new NotFoundError('Order not found');
  await assertOrganizerOrAdmin(call, caller, found, 'record a cash payment');

  const paymentId = await resources.db.transaction(async (trx) => {
    const order = (await readOrder(models, id, { trx, lock: true }))!;
    if (order.lapsed) {
      await moveOrder(trx, models, order, 'expired');
      return undefined;
    }
    if (order.payment_status !== 'pending') {
      throw new ConflictError(`The order is ${order.status}; only a pending order can be paid`, { order_id: id });
    }
    const amount = toDecimalText(body.amount);
    if (amount !== order.total_price) {
      throw new UnprocessableError(`The cash taken must be the order's total, ${order.total_price}`, [
        { field: 'amount', message: `must be ${order.total_price}` },
      ]);
    }
    const live = await models.Payment.query(trx)
      .where({ order_id: id, kind: 'payment' })
      .whereIn('state', ['initiated', 'awaiting', 'captured'])
      .first();
    if (live) throw new ConflictError('A payment of this order is already under way', { order_id: id });
    const payment = await models.Payment.query(trx)
      .insert({
        order_id: id,
        provider: 'cash',
        state: 'captured',
        amount: order.total_price,
        currency: order.currency,
        recorded_by: caller.id,
        note: body.note ?? null,
      })
      .returning('*');
    return payment.id;
  });
  if (paymentId === undefined) {
    await releaseUnitsQuietly(call, id, logger);
    throw new ConflictError('The order expired before it was paid; its tickets were released', { order_id: id });
  }
  logger.info({ orderId: id, paymentId, by: caller.id }, 'cash payment recorded');
  return settle(runtime, call, paymentId);
}
