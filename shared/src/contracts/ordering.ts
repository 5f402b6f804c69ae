import { versionedEvent } from '../events/definition';
import { Page } from '../pagination';
import { IdParams, MessageSchema } from '../schemas/common';
import {
  AddedOrderUnit,
  AddOrderUnitParams,
  CancelEventOrdersParams,
  CreateOrderParams,
  EventOrdersCancelled,
  ListOrdersQuery,
  OrderFacts,
  OrderFactsWithPayment,
  OrderSchema,
  PayOrderParams,
  RemovedOrderUnit,
  RemoveOrderUnitParams,
  StripeWebhookParams,
  StripeWebhookReceived,
  UpdateOrderParams,
} from '../schemas/ordering';
import { defineContract, read, write } from './define';
import { CHECKOUT_TIMEOUT_MS, READ_TIMEOUT_MS } from './timeouts';

/** Orders, the checkout saga over catalog's inventory, payments, refunds and idempotent retries. */
export const orderingContract = defineContract({
  service: 'ordering',
  actions: {
    'orders.list': read(ListOrdersQuery, Page(OrderSchema), { timeoutMs: READ_TIMEOUT_MS }),
    'orders.get': read(IdParams, OrderSchema, { timeoutMs: READ_TIMEOUT_MS }),
    'orders.create': write(CreateOrderParams, OrderSchema, {
      idempotentOn: 'idempotency_key',
      timeoutMs: CHECKOUT_TIMEOUT_MS,
    }),
    'orders.update': write(UpdateOrderParams, OrderSchema),
    'orders.cancel': write(IdParams, MessageSchema),
    // Catalog's call once an event is deleted; no route.
    'orders.cancelForEvent': write(CancelEventOrdersParams, EventOrdersCancelled, { idempotentOn: 'event_id' }),
    'orders.pay': write(PayOrderParams, OrderSchema, {
      idempotentOn: 'idempotency_key',
      timeoutMs: CHECKOUT_TIMEOUT_MS,
    }),
    'orders.refund': write(IdParams, OrderSchema),
    // Ticketing's calls for `POST /tickets` and `DELETE /tickets/{id}`; no routes.
    'orders.addUnit': write(AddOrderUnitParams, AddedOrderUnit, { idempotentOn: 'ref' }),
    'orders.removeUnit': write(RemoveOrderUnitParams, RemovedOrderUnit, { idempotentOn: 'ref' }),
    'payments.stripeWebhook': write(StripeWebhookParams, StripeWebhookReceived),
  },
  events: {
    // v2 of each: payment_method and expires_at, for the messages notifications sends.
    'ordering.order.created': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
    'ordering.order.paid': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
    'ordering.order.cancelled': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
    'ordering.order.expired': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
    'ordering.order.refunded': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
  },
});
