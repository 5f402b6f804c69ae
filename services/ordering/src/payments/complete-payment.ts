import { NotFoundError, type ServiceCaller } from '@ticketpro/shared';
import type { Order } from '../models';
import type { OrderingRuntime } from '../runtime';
import { confirmUnits, isRefusal, releaseUnitsQuietly, restockUnits } from '../orders/catalog-inventory';
import { readOrder } from '../orders/find-order';
import { moveOrder } from '../orders/order-states';
import { returnMoney } from './return-money';

export interface PaymentSettlement {
  order: Order;
  /** False when the money went back: the order could no longer be sold. */
  accepted: boolean;
}

/**
 * The end of the saga for money a provider took (payment `captured`): catalog confirms the sale,
 * then the order is completed with `ordering.order.paid`. When the units can no longer be sold
 * (the order expired, was cancelled or failed meanwhile, so its hold is gone), the money is
 * refunded (recorded owed where the provider has no refund API) and any units sold on the way are returned. Every step is idempotent, so this can
 * run again after a crash anywhere in it (the sweep and repeated webhooks do).
 */
export async function completePayment(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  paymentId: number,
): Promise<PaymentSettlement> {
  const { models, resources, payments, logger } = runtime;
  const payment = await models.Payment.query().findById(paymentId);
  if (!payment) throw new NotFoundError(`Payment ${paymentId} not found`);
  const orderId = payment.order_id;
  const before = (await readOrder(models, orderId, { withDeleted: true }))!;
  if (payment.state === 'captured' && before.payment_status === 'completed') return { order: before, accepted: true };
  if (payment.state !== 'captured') return { order: before, accepted: false };

  let sold = false;
  if (before.payment_status === 'pending') {
    try {
      await confirmUnits(call, orderId);
      sold = true;
    } catch (err) {
      if (!isRefusal(err)) throw err;
    }
  }

  const settled = await resources.db.transaction(async (trx) => {
    const order = (await readOrder(models, orderId, { trx, lock: true, withDeleted: true }))!;
    if (order.payment_status === 'completed') return { order, accepted: true };
    // Catalog sold the units while the hold was live, so the order is paid even if it lapsed since.
    if (sold && order.payment_status === 'pending')
      return { order: await moveOrder(trx, models, order, 'completed'), accepted: true };
    const ended =
      order.payment_status === 'pending'
        ? await moveOrder(trx, models, order, order.lapsed ? 'expired' : 'failed')
        : order;
    return { order: ended, accepted: false };
  });
  if (settled.accepted) return settled;

  // Units sold for an order that had stopped being pending (the sweep expired it in between) go back.
  await restockUnits(call, orderId).catch((err) => {
    if (!isRefusal(err)) throw err;
  });
  await releaseUnitsQuietly(call, orderId, logger);
  const refund = await returnMoney(models, payments, {
    orderId,
    payment,
    amount: payment.amount,
    currency: payment.currency,
    refundKey: `refund-unsold-${paymentId}`,
    recordedBy: null,
  });
  await models.Payment.query().findById(paymentId).patch({ state: 'refunded' });
  logger.warn(
    { orderId, paymentId, status: settled.order.status, refund: refund.state },
    'payment arrived for an order that cannot be sold; refunded (or owed, where the provider cannot refund)',
  );
  return settled;
}
