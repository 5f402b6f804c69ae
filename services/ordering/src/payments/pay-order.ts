import {
  call,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  type AuthUser,
  type Order as OrderView,
  type ServiceCaller,
} from '@ticketpro/shared';
import type { Order, Payment } from '../models';
import type { OrderingRuntime } from '../runtime';
import { extendHold, releaseUnitsQuietly } from '../orders/catalog-inventory';
import { canSee, readOrder } from '../orders/find-order';
import { moveOrder } from '../orders/order-states';
import { toOrderView } from '../orders/order-view';
import { completePayment } from './complete-payment';
import type { PaymentProvider } from './provider';

type Start = { payment: Payment; order: Order } | { expired: Order } | { captured: Payment } | { paid: Order };

export interface PayRequest {
  fail?: boolean;
  phone?: string;
  /** The Idempotency-Key's first attempt died before answering: it may have paid the order already. */
  resumed?: boolean;
}

/**
 * Pays a pending order through the provider its payment method goes through. The attempt is
 * recorded (committed) before the provider is called, so money it takes can always be found:
 * then catalog confirms the sale and the order completes. A provider that settles later
 * (Paynow: the buyer confirms on the phone) leaves the payment awaited, the order's hold kept
 * longer, and answers the instructions for the buyer. A decline fails the order and releases its
 * units (409); an order past its expiry becomes expired and releases its units (409). Paying
 * again after money was taken but the saga was cut short (catalog unreachable, a crash)
 * finishes that payment.
 */
export async function payOrder(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
  request: PayRequest,
): Promise<OrderView> {
  const { models, resources, payments, logger, config } = runtime;
  let provider: PaymentProvider | undefined;
  const start = await resources.db.transaction(async (trx): Promise<Start> => {
    const order = await readOrder(models, id, { trx, lock: true });
    if (!order || !canSee(caller, order)) throw new NotFoundError('Order not found');
    if (order.user_id !== caller.id) throw new ForbiddenError("Only the order's owner may pay it");
    const live =
      order.payment_status === 'pending'
        ? await models.Payment.query(trx)
            .where({ order_id: id, kind: 'payment' })
            .whereIn('state', ['initiated', 'awaiting', 'captured'])
            .first()
        : undefined;
    // Settled before the lapse is looked at: catalog may have sold the units already, and only
    // completePayment decides between completing the order and refunding the money.
    if (live?.state === 'captured') return { captured: live };
    if (order.lapsed) return { expired: await moveOrder(trx, models, order, 'expired') };
    if (order.payment_status === 'completed' && request.resumed) return { paid: order };
    if (order.payment_status !== 'pending') {
      throw new ConflictError(`The order is ${order.status}; only a pending order can be paid`, { order_id: id });
    }
    provider = payments.forMethod(order.payment_method);
    if (provider.name === 'cash') {
      throw new ConflictError("A cash order is paid at the door: the event's organizer records the payment", {
        order_id: id,
      });
    }
    if (live) {
      // A provider that waits for the client answers the same attempt again (same idempotency key),
      // as does any provider when the Idempotency-Key's first attempt died with it under way.
      const sameAttempt = live.state === 'initiated' && live.provider === provider.name;
      if (sameAttempt && (provider.name !== 'test' || request.resumed)) return { payment: live, order };
      throw new ConflictError('A payment of this order is already under way', { order_id: id });
    }
    // The buyer confirms on the phone: the units stay held while the payment is awaited.
    if (provider.poll) {
      const kept = await extendHold(call, id, config.PAYMENT_PENDING_MAX_SECONDS);
      await models.Order.query(trx)
        .findById(id)
        .patch({ expires_at: new Date(kept.expires_at) });
    }
    const payment = await models.Payment.query(trx)
      .insert({
        order_id: id,
        provider: provider.name,
        amount: order.total_price,
        currency: order.currency,
        recorded_by: caller.id,
      })
      .returning('*');
    return { payment, order };
  });

  if ('expired' in start) {
    await releaseUnitsQuietly(call, id, logger);
    throw new ConflictError('The order expired before it was paid; its tickets were released', { order_id: id });
  }
  if ('captured' in start) return settle(runtime, call, start.captured.id);
  if ('paid' in start) return toOrderView(start.paid);

  const { payment, order } = start;
  const buyer = provider!.poll ? await buyerContact(call, caller.id, request.phone) : {};
  const charged = await provider!.charge({
    paymentId: payment.id,
    orderId: id,
    amount: payment.amount,
    currency: payment.currency,
    method: order.payment_method,
    fail: request.fail,
    ...buyer,
  });
  const answer = { provider_ref: charged.reference, provider_status: charged.providerStatus };

  if (charged.outcome === 'waiting' || charged.outcome === 'awaiting') {
    const waiting = await models.Payment.query().patchAndFetchById(payment.id, {
      ...answer,
      client_secret: charged.clientSecret ?? null,
      ...(charged.outcome === 'awaiting'
        ? {
            state: 'awaiting' as const,
            instructions: charged.instructions ?? null,
            poll_url: charged.pollUrl ?? null,
            phone: buyer.phone ?? null,
          }
        : {}),
    });
    const current = (await readOrder(models, id))!;
    return toOrderView(current, waiting, charged.redirectUrl);
  }

  if (charged.outcome === 'declined') {
    await failPayment(runtime, call, payment.id, 'declined', answer);
    logger.info({ orderId: id, paymentId: payment.id }, 'payment declined');
    throw new ConflictError('Payment declined: the order failed and its tickets were released', { order_id: id });
  }

  await models.Payment.query()
    .findById(payment.id)
    .patch({ ...answer, state: 'captured' });
  return settle(runtime, call, payment.id);
}

/**
 * A payment the provider declined or the buyer cancelled: the order fails and its units are
 * released (if it is still pending; a lapsed one is the sweep's).
 */
export async function failPayment(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  paymentId: number,
  state: 'declined' | 'cancelled',
  answer: { provider_status?: string; provider_ref?: string } = {},
): Promise<void> {
  const { models, resources, logger } = runtime;
  const orderId = await resources.db.transaction(async (trx) => {
    const payment = await models.Payment.query(trx).patchAndFetchById(paymentId, { ...answer, state });
    const locked = await readOrder(models, payment.order_id, { trx, lock: true });
    if (locked?.payment_status === 'pending' && !locked.lapsed) await moveOrder(trx, models, locked, 'failed');
    return payment.order_id;
  });
  await releaseUnitsQuietly(call, orderId, logger);
}

/** Captured money meets inventory: the order completes, or the money goes back (409). */
export async function settle(runtime: OrderingRuntime, call: ServiceCaller, paymentId: number): Promise<OrderView> {
  const settlement = await completePayment(runtime, call, paymentId);
  const orderId = settlement.order.id;
  if (!settlement.accepted) {
    throw new ConflictError(`The order is ${settlement.order.status}; the payment was refunded`, { order_id: orderId });
  }
  runtime.logger.info({ orderId, paymentId }, 'order paid');
  return toOrderView(settlement.order);
}

/**
 * Who Paynow pushes the payment to and mails: the number in the pay body, else the buyer's own
 * (identity knows it), either written as Paynow's examples write it (`07…`), and the buyer's
 * email, which Paynow requires.
 */
async function buyerContact(
  via: ServiceCaller,
  userId: number,
  phone?: string,
): Promise<{ phone?: string; email?: string }> {
  const user = await call(via, 'identity.users.get', { id: userId });
  const number = mobileNumber(phone ?? user.phone_number);
  if (!number) {
    throw new UnprocessableError('A mobile money number is needed: send `phone` (07XXXXXXXX)', [
      { field: 'phone', message: 'is required: your account has no Zimbabwean mobile number' },
    ]);
  }
  return { phone: number, email: user.email };
}

/** A phone number (`+263 77 123 4567`, `263771234567`, `0771234567`) as Paynow takes it (`0771234567`), if it is a Zimbabwean mobile one. */
function mobileNumber(written: string | null | undefined): string | undefined {
  const digits = (written ?? '').replace(/\D/g, '');
  const match = /^(?:263|0)(7\d{8})$/.exec(digits);
  return match ? `0${match[1]}` : undefined;
}
