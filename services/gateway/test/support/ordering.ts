import type { Order } from '@ticketpro/shared';
import { ServiceStandIn, type StandInAnswers } from '@ticketpro/shared/testing';

export const SAMPLE_ORDER: Order & { deleted_at: null; idempotency_key: string } = {
  id: 31,
  user_id: 42,
  event_id: 7,
  order_date: '2027-02-01T09:00:00.000Z',
  total_price: 59.97,
  discount: 0,
  promo_code: null,
  currency: 'ZWG',
  payment_method: 'ecocash',
  payment_status: 'pending',
  expires_at: '2027-02-01T09:15:00.000Z',
  items: [{ ticket_type_id: 11, quantity: 3, unit_price: 19.99, discount: 0 }],
  created_at: '2027-02-01T09:00:00.000Z',
  updated_at: '2027-02-01T09:00:00.000Z',
  // Ordering's own bookkeeping: the gateway's response schema must drop it.
  deleted_at: null,
  idempotency_key: 'retry-1',
};

/** What a client may see of `SAMPLE_ORDER`. */
export const ORDER_VIEW = {
  id: 31,
  user_id: 42,
  event_id: 7,
  order_date: '2027-02-01T09:00:00.000Z',
  total_price: 59.97,
  discount: 0,
  promo_code: null,
  currency: 'ZWG',
  payment_method: 'ecocash',
  payment_status: 'pending',
  expires_at: '2027-02-01T09:15:00.000Z',
  items: [{ ticket_type_id: 11, quantity: 3, unit_price: 19.99, discount: 0 }],
  created_at: '2027-02-01T09:00:00.000Z',
  updated_at: '2027-02-01T09:00:00.000Z',
};

/** One ledger row, as ordering answers it. */
export const SAMPLE_TRANSACTION = {
  id: 77,
  order_id: 31,
  kind: 'refund' as const,
  provider: 'paynow',
  provider_reference: 'TP-76',
  amount: 19.99,
  currency: 'ZWG',
  state: 'refund_owed' as const,
  refund_of: 76,
  ticket_ids: [501],
  recorded_by: 9,
  settled_by: null,
  settled_at: null,
  note: null,
  created_at: '2027-02-02T09:00:00.000Z',
  updated_at: '2027-02-02T09:00:00.000Z',
};

/** Stands in for ordering's order and payment actions. */
export class OrderingStandIn extends ServiceStandIn<'ordering'> {
  /** When set, pay answers the order still pending with this payment under way (Paynow's 202). */
  awaitedPayment?: Order['payment'];

  constructor() {
    super('ordering');
  }

  protected answers(): StandInAnswers<'ordering'> {
    return {
      health: () => ({ status: 'ok' }),
      'orders.list': (ctx) => ({
        items: [SAMPLE_ORDER],
        total: 1,
        skip: ctx.params.skip,
        limit: ctx.params.limit,
        has_next: false,
        has_prev: false,
      }),
      'orders.get': (ctx) => ({ ...SAMPLE_ORDER, id: ctx.params.id }),
      'orders.create': () => SAMPLE_ORDER,
      'orders.update': (ctx) => ({ ...SAMPLE_ORDER, ...ctx.params }),
      'orders.cancel': () => ({ message: 'Order cancelled' }),
      'orders.pay': () =>
        this.awaitedPayment
          ? { ...SAMPLE_ORDER, payment: this.awaitedPayment }
          : { ...SAMPLE_ORDER, payment_status: 'completed', expires_at: null },
      'orders.refund': () => ({ ...SAMPLE_ORDER, payment_status: 'refunded', expires_at: null }),
      'orders.payCash': () => ({ ...SAMPLE_ORDER, payment_status: 'completed', expires_at: null }),
      'orders.payments': (ctx) => [{ ...SAMPLE_TRANSACTION, order_id: ctx.params.id }],
      'payments.get': (ctx) => ({ ...SAMPLE_TRANSACTION, id: ctx.params.id }),
      'payments.settle': (ctx) => ({ ...SAMPLE_TRANSACTION, id: ctx.params.id, state: 'refunded' as const }),
      'payments.stripeWebhook': () => ({ received: true as const }),
      'payments.paynowResult': () => ({ received: true as const }),
    };
  }
}
