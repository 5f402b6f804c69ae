import type { ServiceSchema } from 'moleculer';
import {
  closeServiceResources,
  healthAction,
  openServiceResources,
  PeriodicTask,
  subscribeToEvents,
  type EventSubscription,
  type NodeDeps,
} from '@ticketpro/shared';
import { migrations } from '../migrations';
import { bindModels } from './models';
import type { OrderingRuntime } from './runtime';
import { callsFrom } from './orders/catalog-inventory';
import { sweepExpiredOrders } from './orders/sweep-expired-orders';
import { closeEvent } from './orders/cancel-event-orders';
import { selectPaymentProvider } from './payments/select-provider';
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
  let runtime: (OrderingRuntime & { sweeper: PeriodicTask; closedEvents: EventSubscription }) | undefined;
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
      'orders.cancelForEvent': cancelForEventAction(ordering),
      'orders.pay': payOrderAction(ordering),
      'orders.refund': refundOrderAction(ordering),
      'orders.addUnit': addOrderUnitAction(ordering),
      'orders.removeUnit': removeOrderUnitAction(ordering),
      'payments.stripeWebhook': stripeWebhookAction(ordering),
      health: healthAction(() => runtime?.resources.db),
    },

    async started() {
      const provider = selectPaymentProvider(config, options.stripeApi);
      const resources = await openServiceResources(config, 'ordering', migrations, logger);
      let closedEvents: EventSubscription;
      try {
        // Should catalog's call after deleting an event not get through, the event still closes
        // it here, and the expiry sweep cancels its pending orders.
        closedEvents = await subscribeToEvents({
          config,
          service: 'ordering',
          name: 'closed-events',
          events: ['catalog.event.deleted'],
          db: resources.db,
          logger,
          handle: (envelope, trx) => closeEvent(trx, envelope.data.id),
        });
      } catch (err) {
        await closeServiceResources(resources, logger);
        throw err;
      }
      const started: OrderingRuntime = {
        config,
        resources,
        models: bindModels(resources.db),
        provider,
        broker: this.broker,
        logger,
      };
      const sweeper = new PeriodicTask(
        'expired orders sweep',
        async () => {
          const { expired, settled, cancelled } = await sweepExpiredOrders(started, callsFrom(started.broker));
          if (expired + settled + cancelled > 0) logger.info({ expired, settled, cancelled }, 'expired orders swept');
        },
        options.expirySweepIntervalMs ?? 5000,
        logger,
      );
      sweeper.start();
      runtime = { ...started, sweeper, closedEvents };
      options.onStarted?.(runtime);
    },

    async stopped() {
      const stopping = runtime;
      runtime = undefined;
      await stopping?.closedEvents.stop();
      await stopping?.sweeper.stop();
      await closeServiceResources(stopping?.resources, logger);
    },
  };
}
