import type { Knex } from 'knex';
import { ConflictError } from '@ticketpro/shared';
import type { OrderingModels, Payment } from '../models';
import { LIVE_PAYMENT_STATES } from '../models/constants';

/** The order's payment under way: recorded, perhaps taken, and not yet done with (at most one). */
export function livePaymentOf(models: OrderingModels, orderId: number, trx?: Knex.Transaction) {
  return models.Payment.query(trx)
    .where({ order_id: orderId, kind: 'payment' })
    .whereIn('state', LIVE_PAYMENT_STATES)
    .first();
}

/** 409 naming the payment under way (`payment_id`), so that the client can look it up (`GET /payments/transactions/{id}`). */
export function paymentUnderWay(live: Payment, refusal: string): ConflictError {
  const where = live.state === 'awaiting' ? "awaiting the buyer's confirmation" : 'under way';
  return new ConflictError(`Payment ${live.id} of this order is ${where}: ${refusal}`, {
    order_id: live.order_id,
    payment_id: live.id,
  });
}

/**
 * Refuses a change to what a pending order costs or how it is paid while a payment of it is under
 * way: the provider would still take the amount it was asked for, by the method it was asked
 * for, and the order would complete for another sum. Called under the order's row lock, which a
 * pay takes too.
 */
export async function refuseWhilePaying(
  trx: Knex.Transaction,
  models: OrderingModels,
  orderId: number,
  change: string,
): Promise<void> {
  const live = await livePaymentOf(models, orderId, trx);
  if (live) throw paymentUnderWay(live, `${change} once it has succeeded or failed`);
}
