import { setTimeout as sleep } from 'node:timers/promises';
import {
  call,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ProblemError,
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
import { leaseEnd, whileRenewing } from '../idempotency/lease';
import type { Claimant } from '../idempotency/claimant';
import { toMinorUnits } from './minor-units';
import { livePaymentOf, paymentUnderWay } from './payment-under-way';

/**
 * Where a pay stands once the order is read under its lock. `charge`: this request asks the
 * provider (a new attempt, or one whose request died before the provider answered). `underWay`:
 * the provider answered and the client (Stripe) or the buyer (Paynow) acts next. `charging`:
 * another request is asking the provider right now.
 */
type Start =
  | { charge: Payment; order: Order }
  | { underWay: Payment; order: Order }
  | { charging: Payment }
  | { expired: Order }
  | { captured: Payment }
  | { paid: Order };

export interface PayRequest {
  fail?: boolean;
  phone?: string;
  /** The Idempotency-Key's first attempt died before answering: it may have paid the order already. */
  resumed?: boolean;
  /** How long to wait for another request that is asking the provider to take this order's payment. */
  waitMs: number;
  /** The request's claimant, the one its Idempotency-Key claim names: tells whether the node asking the provider is gone. */
  claimant: Claimant;
}

const WAIT_POLL_MS = 50;

/**
 * Pays a pending order through the provider its payment method goes through. The attempt is
 * recorded (committed) before the provider is called, so money it takes can always be found:
 * then catalog confirms the sale and the order completes. A provider that settles later
 * (Paynow: the buyer confirms on the phone) leaves the payment awaited, the order's hold kept
 * longer, and answers the instructions for the buyer. A decline fails the order and releases its
 * units (409); an order past its expiry becomes expired and releases its units (409). Paying
 * again after money was taken but the saga was cut short (catalog unreachable, a crash)
 * finishes that payment.
 *
 * One order has one live attempt, asked of the provider by one request at a time: a pay while the
 * provider is being asked waits for its answer and gives the same (503 if it does not come within
 * `waitMs`), or asks the provider itself under the same payment id when the node of the request
 * that was asking is gone (the provider takes a payment id's money once); a pay of the same order, method, amount and phone while the payment is under way
 * answers that payment again without asking the provider; any other pay then is 409, naming the
 * payment under way.
 */
export async function payOrder(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
  request: PayRequest,
): Promise<OrderView> {
  const deadline = Date.now() + request.waitMs;
  let waited = false;
  let takeOverFrom: string | undefined;
  for (;;) {
    // Having waited on another request's attempt, this one answers its outcome, as a resumed one does.
    const start = await startPayment(runtime, call, caller, id, request.resumed || waited, takeOverFrom);
    if (!('charging' in start)) return finishPayment(runtime, call, caller, id, request, start);
    const holder = start.charging.charging_by;
    if (holder !== null && holder !== takeOverFrom && (await request.claimant.holderGone(holder))) {
      takeOverFrom = holder;
      continue;
    }
    if (Date.now() > deadline) {
      // Not an answer to this pay but a wait that ran out: a 503, which an Idempotency-Key does
      // not keep (a 409 would be replayed for a day), so a retry with the key gets the outcome.
      throw new ProblemError(
        'service-unavailable',
        `Payment ${start.charging.id} of this order is being sent to the payment provider by another request; retry shortly`,
        { order_id: id, payment_id: start.charging.id },
      );
    }
    waited = true;
    await sleep(WAIT_POLL_MS);
  }
}

async function startPayment(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
  resumed: boolean,
  /** A node found gone while it was asking the provider for this order's payment. */
  takeOverFrom: string | undefined,
): Promise<Start> {
  const { models, resources, payments, config, broker } = runtime;
  return resources.db.transaction(async (trx): Promise<Start> => {
    const order = await readOrder(models, id, { trx, lock: true });
    if (!order || !canSee(caller, order)) throw new NotFoundError('Order not found');
    if (order.user_id !== caller.id) throw new ForbiddenError("Only the order's owner may pay it");
    const live = order.payment_status === 'pending' ? await livePaymentOf(models, id, trx) : undefined;
    // Settled before the lapse is looked at: catalog may have sold the units already, and only
    // completePayment decides between completing the order and refunding the money.
    if (live?.state === 'captured') return { captured: live };
    if (order.lapsed) return { expired: await moveOrder(trx, models, order, 'expired') };
    if (order.payment_status === 'completed' && resumed) return { paid: order };
    if (order.payment_status !== 'pending') {
      throw new ConflictError(`The order is ${order.status}; only a pending order can be paid`, { order_id: id });
    }
    const provider = payments.forMethod(order.payment_method);
    if (provider.name === 'cash') {
      throw new ConflictError("A cash order is paid at the door: the event's organizer records the payment", {
        order_id: id,
      });
    }
    if (live) {
      const difference = differenceFrom(live, order, provider.name);
      if (difference) throw paymentUnderWay(live, `it ${difference}; pay again once it has succeeded or failed`);
      if (live.provider_ref !== null) return { underWay: live, order };
      // Not answered yet: being asked by a live request, or its request died (its node is gone,
      // or the lease ran out) or the provider failed, and this request asks again under the same
      // payment id.
      const claimed = await trx('payments')
        .where({ id: live.id })
        .whereRaw('(coalesce(charging_until <= now(), true) OR charging_by = ?)', [takeOverFrom ?? null])
        .update({ charging_until: leaseEnd(trx), charging_by: broker.nodeID });
      return claimed === 1 ? { charge: live, order } : { charging: live };
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
        method: order.payment_method,
        amount: order.total_price,
        currency: order.currency,
        recorded_by: caller.id,
        charging_until: leaseEnd(trx),
        charging_by: broker.nodeID,
      })
      .returning('*');
    return { charge: payment, order };
  });
}

async function finishPayment(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
  request: PayRequest,
  start: Exclude<Start, { charging: Payment }>,
): Promise<OrderView> {
  const { models, resources, payments, logger } = runtime;
  if ('expired' in start) {
    await releaseUnitsQuietly(call, id, logger);
    throw new ConflictError('The order expired before it was paid; its tickets were released', { order_id: id });
  }
  if ('captured' in start) return settle(runtime, call, start.captured.id);
  if ('paid' in start) return toOrderView(start.paid);
  if ('underWay' in start) {
    const { underWay: payment, order } = start;
    if (payment.phone !== null) {
      const { phone } = await buyerContact(call, caller.id, request.phone);
      if (phone !== payment.phone) {
        throw paymentUnderWay(
          payment,
          `it was pushed to ${payment.phone}, not ${phone ?? 'no number'}; pay again once it has succeeded or failed`,
        );
      }
    }
    return toOrderView(order, { payment, viewer: caller });
  }

  const { charge: payment, order } = start;
  const provider = payments.forMethod(order.payment_method);
  const renewLease = () =>
    resources
      .db('payments')
      .where({ id: payment.id })
      .update({ charging_until: leaseEnd(resources.db) });
  let buyer: { phone?: string; email?: string } = {};
  const charged = await whileRenewing(renewLease, async () => {
    if (provider.poll) buyer = await mobileMoneyContact(call, caller.id, request.phone);
    return provider.charge({
      paymentId: payment.id,
      orderId: id,
      amount: payment.amount,
      currency: payment.currency,
      method: order.payment_method,
      fail: request.fail,
      ...buyer,
    });
  }).catch(async (err: unknown) => {
    // Nothing is known of this attempt: the client's next pay asks the provider again at once.
    await models.Payment.query().findById(payment.id).patch({ charging_until: null });
    throw err;
  });
  const answer = { provider_ref: charged.reference, provider_status: charged.providerStatus, charging_until: null };

  if (charged.outcome === 'waiting' || charged.outcome === 'awaiting') {
    const waiting = await models.Payment.query().patchAndFetchById(payment.id, {
      ...answer,
      client_secret: charged.clientSecret ?? null,
      ...(charged.outcome === 'awaiting'
        ? {
            state: 'awaiting' as const,
            instructions: charged.instructions ?? null,
            redirect_url: charged.redirectUrl ?? null,
            poll_url: charged.pollUrl ?? null,
            phone: buyer.phone ?? null,
          }
        : {}),
    });
    const current = (await readOrder(models, id))!;
    return toOrderView(current, { payment: waiting, viewer: caller });
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

/** Why a pay is not the one under way (another provider, method or amount), if it is not. */
function differenceFrom(live: Payment, order: Order, provider: string): string | undefined {
  if (live.provider !== provider) return `goes through ${live.provider}, not ${provider}`;
  if (live.method !== null && live.method !== order.payment_method) {
    return `is paid by ${live.method}, not ${order.payment_method}`;
  }
  if (live.currency !== order.currency || toMinorUnits(live.amount) !== toMinorUnits(order.total_price)) {
    return `is for ${live.amount} ${live.currency}, not the order's ${order.total_price} ${order.currency}`;
  }
  return undefined;
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
  answer: { provider_status?: string; provider_ref?: string; charging_until?: null } = {},
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
  return { phone: mobileNumber(phone ?? user.phone_number), email: user.email };
}

/** The buyer's contact for a payment pushed to a phone, which needs a number (422 without one). */
async function mobileMoneyContact(
  via: ServiceCaller,
  userId: number,
  phone?: string,
): Promise<{ phone: string; email?: string }> {
  const contact = await buyerContact(via, userId, phone);
  if (!contact.phone) {
    throw new UnprocessableError('A mobile money number is needed: send `phone` (07XXXXXXXX)', [
      { field: 'phone', message: 'is required: your account has no Zimbabwean mobile number' },
    ]);
  }
  return { ...contact, phone: contact.phone };
}

/** A phone number (`+263 77 123 4567`, `263771234567`, `0771234567`) as Paynow takes it (`0771234567`), if it is a Zimbabwean mobile one. */
function mobileNumber(written: string | null | undefined): string | undefined {
  const digits = (written ?? '').replace(/\D/g, '');
  const match = /^(?:263|0)(7\d{8})$/.exec(digits);
  return match ? `0${match[1]}` : undefined;
}
