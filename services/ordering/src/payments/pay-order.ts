import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type AuthUser,
  type Order as OrderView,
  type ServiceCaller,
} from '@ticketpro/shared';
import type { Order, Payment } from '../models';
import type { OrderingRuntime } from '../runtime';
import { releaseUnitsQuietly } from '../orders/catalog-inventory';
import { canSee, readOrder } from '../orders/find-order';
import { moveOrder } from '../orders/order-states';
import { toOrderView } from '../orders/order-view';
import { completePayment } from './complete-payment';

type Start = { payment: Payment; order: Order } | { expired: Order } | { captured: Payment };

/**
 * Pays a pending order through the configured provider. The attempt is recorded (committed)
 * before the provider is called, so money it takes can always be found: then catalog confirms
 * the sale and the order completes. A decline fails the order and releases its units (409); an
 * order past its expiry becomes expired and releases its units (409). Paying again after money
 * was taken but the saga was cut short (catalog unreachable, a crash) finishes that payment.
 */
export async function payOrder(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
  fail: boolean | undefined,
): Promise<OrderView> {
  const { models, resources, provider, logger } = runtime;
  const start = await resources.db.transaction(async (trx): Promise<Start> => {
    const order = await readOrder(models, id, { trx, lock: true });
    if (!order || !canSee(caller, order)) throw new NotFoundError('Order not found');
    if (order.user_id !== caller.id) throw new ForbiddenError("Only the order's owner may pay it");
    const live =
      order.payment_status === 'pending'
        ? await models.Payment.query(trx).where('order_id', id).whereIn('state', ['initiated', 'captured']).first()
        : undefined;
    // Settled before the lapse is looked at: catalog may have sold the units already, and only
    // completePayment decides between completing the order and refunding the money.
    if (live?.state === 'captured') return { captured: live };
    if (order.lapsed) return { expired: await moveOrder(trx, models, order, 'expired') };
    if (order.payment_status !== 'pending') {
      throw new ConflictError(`The order is ${order.status}; only a pending order can be paid`, { order_id: id });
    }
    if (live) {
      // A provider that waits for the client answers the same attempt again (same idempotency key).
      if (live.state === 'initiated' && live.provider === 'stripe' && provider.name === 'stripe')
        return { payment: live, order };
      throw new ConflictError('A payment of this order is already under way', { order_id: id });
    }
    const payment = await models.Payment.query(trx)
      .insert({ order_id: id, provider: provider.name, amount: order.total_price, currency: order.currency })
      .returning('*');
    return { payment, order };
  });

  if ('expired' in start) {
    await releaseUnitsQuietly(call, id, logger);
    throw new ConflictError('The order expired before it was paid; its tickets were released', { order_id: id });
  }
  if ('captured' in start) return settle(runtime, call, start.captured.id);

  const { payment, order } = start;
  const charged = await provider.charge({
    paymentId: payment.id,
    orderId: id,
    amount: payment.amount,
    currency: payment.currency,
    fail,
  });
  const answer = { provider_ref: charged.reference, provider_status: charged.providerStatus };

  if (charged.outcome === 'waiting') {
    const waiting = await models.Payment.query().patchAndFetchById(payment.id, {
      ...answer,
      client_secret: charged.clientSecret ?? null,
    });
    return toOrderView(order, waiting);
  }

  if (charged.outcome === 'declined') {
    await resources.db.transaction(async (trx) => {
      await models.Payment.query(trx)
        .findById(payment.id)
        .patch({ ...answer, state: 'declined' });
      const locked = await readOrder(models, id, { trx, lock: true });
      if (locked?.payment_status === 'pending') await moveOrder(trx, models, locked, 'failed');
    });
    await releaseUnitsQuietly(call, id, logger);
    logger.info({ orderId: id, paymentId: payment.id }, 'payment declined');
    throw new ConflictError('Payment declined: the order failed and its tickets were released', { order_id: id });
  }

  await models.Payment.query()
    .findById(payment.id)
    .patch({ ...answer, state: 'captured' });
  return settle(runtime, call, payment.id);
}

/** Captured money meets inventory: the order completes, or the money goes back (409). */
async function settle(runtime: OrderingRuntime, call: ServiceCaller, paymentId: number): Promise<OrderView> {
  const settlement = await completePayment(runtime, call, paymentId);
  const orderId = settlement.order.id;
  if (!settlement.accepted) {
    throw new ConflictError(`The order is ${settlement.order.status}; the payment was refunded`, { order_id: orderId });
  }
  runtime.logger.info({ orderId, paymentId }, 'order paid');
  return toOrderView(settlement.order);
}
