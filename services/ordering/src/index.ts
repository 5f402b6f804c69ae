import type { ServiceSchema } from 'moleculer';
import {
  closeServiceResources,
  healthAction,
  openServiceResources,
  type NodeDeps,
} from '@ticketpro/shared';
import { migrations } from '../migrations';
import { bindModels } from './models';
import type { OrderingRuntime } from './runtime';
import { OrderSweeper } from './orders/order-sweeper';
import { selectPaymentProvider } from './payments/select-provider';
import type { StripeApiOptions } from './payments/stripe-provider';
import { listOrdersAction } from './actions/orders-list';
import { getOrderAction } from './actions/orders-get';
import { createOrderAction } from './actions/orders-create';
import { updateOrderAction } from './actions/orders-update';
import { cancelOrderAction } from './actions/orders-cancel';
import { payOrderAction } from './actions/orders-pay';
import { refundOrderAction } from './actions/orders-refund';
import { stripeWebhookAction } from './actions/payments-stripe-webhook';

export { sweepExpiredOrders } from './orders/sweep-expired-orders';
export { callsFrom } from './orders/catalog-inventory';
export type { OrderingRuntime } from './runtime';

export interface OrderingOptions {
  /** How often lapsed orders are made expired for good; reads show them expired at once either way. */
  expirySweepIntervalMs?: number;
  /** Where the Stripe SDK sends requests (tests: a local stand-in). */
  stripeApi?: StripeApiOptions;
  /** Hands the started runtime out, for tests that drive the sweep themselves. */
  onStarted?: (runtime: OrderingRuntime) => void;
}

/** Orders, the checkout saga over catalog's inventory, payments, refunds and idempotent retries. */
export function createOrderingService({ config, logger }: NodeDeps, options: OrderingOptions = {}): ServiceSchema {
  let runtime: (OrderingRuntime & { sweeper: OrderSweeper }) | undefined;
  const ordering = (): OrderingRuntime => {
    if (!runtime) throw new Error('The ordering service is not started');
    return runtime;
  };

  return {
    name: 'ordering',
    actions: {
      'orders.list': listOrdersAction(ordering),
      'orders.get': getOrderAction(ordering),
      'orders.create': createOrderAction(ordering),
      'orders.update': updateOrderAction(ordering),
      'orders.cancel': cancelOrderAction(ordering),
      'orders.pay': payOrderAction(ordering),
      'orders.refund': refundOrderAction(ordering),
      'payments.stripeWebhook': stripeWebhookAction(ordering),
      health: healthAction(() => runtime?.resources.db),
    },

    async started() {
      const provider = selectPaymentProvider(config, options.stripeApi);
      const resources = await openServiceResources(config, 'ordering', migrations, logger);
      const started: OrderingRuntime = {
        config,
        resources,
        models: bindModels(resources.db),
        provider,
        broker: this.broker,
        logger,
      };
      const sweeper = new OrderSweeper(started, options.expirySweepIntervalMs ?? 5000);
      sweeper.start();
      runtime = { ...started, sweeper };
      options.onStarted?.(runtime);
    },

    async stopped() {
      const stopping = runtime;
      runtime = undefined;
      await stopping?.sweeper.stop();
      await closeServiceResources(stopping?.resources, logger);
    },
  };
}
