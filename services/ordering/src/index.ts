import { defineService, feed, orderingContract } from '@ticketpro/shared';
import { migrations } from '../migrations';
import { bindModels } from './models';
import { sweepExpiredOrders } from './orders/sweep-expired-orders';
import { closeEvent } from './orders/cancel-event-orders';
import { OrderIds } from './orders/order-ids';
import { selectPaymentProviders } from './payments/select-provider';
import { pollAwaitedPayments } from './payments/poll-awaited-payments';
import type { StripeApiOptions } from './payments/stripe-provider';
import { listOrdersAction } from './actions/orders-list';
import { getOrderAction } from './actions/orders-get';
import { createOrderAction } from './actions/orders-create';
import { updateOrderAction } from './actions/orders-update';
import { cancelOrderAction } from './actions/orders-cancel';
import { cancelForEventAction } from './actions/orders-cancel-for-event';
import { payOrderAction } from './actions/orders-pay';
import { refundOrderAction } from './actions/orders-refund';
import { addOrderUnitAction } from './actions/orders-add-unit';
import { removeOrderUnitAction } from './actions/orders-remove-unit';
import { stripeWebhookAction } from './actions/payments-stripe-webhook';
import { paynowResultAction } from './actions/payments-paynow-result';
import { payCashAction } from './actions/orders-pay-cash';
import { orderPaymentsAction } from './actions/orders-payments';
import { getPaymentAction } from './actions/payments-get';
import { settlePaymentAction } from './actions/payments-settle';

export { sweepExpiredOrders } from './orders/sweep-expired-orders';
export type { OrderingRuntime } from './runtime';

export interface OrderingOptions {
  /** Where the Stripe SDK sends requests (tests: a local stand-in). */
  stripeApi?: StripeApiOptions;
}

/** Orders, the checkout saga over catalog's inventory, payments, refunds and idempotent retries. */
export const createOrderingService = defineService({
  contract: orderingContract,
  migrations,
  prepare: (base, options: OrderingOptions) => ({
    models: bindModels(base.resources.db),
    payments: selectPaymentProviders(base.config, options.stripeApi),
    orderIds: new OrderIds(base.resources.db),
  }),
  actions: (ordering) => ({
    'orders.list': listOrdersAction(ordering),
    'orders.get': getOrderAction(ordering),
    'orders.create': createOrderAction(ordering),
    'orders.update': updateOrderAction(ordering),
    'orders.cancel': cancelOrderAction(ordering),
    'orders.cancelForEvent': cancelForEventAction(ordering),
    'orders.pay': payOrderAction(ordering),
    'orders.refund': refundOrderAction(ordering),
    'orders.addUnit': addOrderUnitAction(ordering),
    'orders.removeUnit': removeOrderUnitAction(ordering),
    'orders.payCash': payCashAction(ordering),
    'orders.payments': orderPaymentsAction(ordering),
    'payments.get': getPaymentAction(ordering),
    'payments.settle': settlePaymentAction(ordering),
    'payments.stripeWebhook': stripeWebhookAction(ordering),
    'payments.paynowResult': paynowResultAction(ordering),
  }),
  // Should catalog's call after deleting an event not get through, the event still closes it
  // here, and the expiry sweep cancels its pending orders.
  feeds: () => [
    feed('closed-events', { 'catalog.event.deleted': [1] }, (envelope, trx) => closeEvent(trx, envelope.data.id)),
  ],
  tasks: (ordering) => [
    {
      // Reads show lapsed orders expired at once; the sweep makes them expired for good.
      name: 'expired orders sweep',
      everyMs: ordering.config.ORDER_EXPIRY_SWEEP_INTERVAL_MS,
      run: async () => {
        const { expired, settled, cancelled } = await sweepExpiredOrders(ordering, ordering.broker);
        if (expired + settled + cancelled > 0)
          ordering.logger.info({ expired, settled, cancelled }, 'expired orders swept');
      },
    },
    {
      name: 'awaited payments poll',
      everyMs: ordering.config.PAYMENT_POLL_INTERVAL_SECONDS * 1000,
      run: async () => {
        const settled = await pollAwaitedPayments(ordering, ordering.broker);
        if (settled > 0) ordering.logger.info({ settled }, 'awaited payments settled by polling');
      },
    },
  ],
});
