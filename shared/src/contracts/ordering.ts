import { versionedEvent } from '../events/definition';
import { Page } from '../pagination';
import { Type } from '@sinclair/typebox';
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
  PartialRefundFacts,
  PaymentTransactionSchema,
  PaynowResultParams,
  CashPaymentParams,
  PayOrderParams,
  RefundOrderParams,
  RemovedOrderUnit,
  RemoveOrderUnitParams,
  StripeWebhookParams,
  WebhookReceived,
  UpdateOrderParams,
} from '../schemas/ordering';
import { defineContract, timedRead, write } from './define';
import { CHECKOUT_TIMEOUT_MS } from './timeouts';

/** Orders, the checkout saga over catalog's inventory, payments, refunds and idempotent retries. */
export const orderingContract = defineContract({
  service: 'ordering',
  actions: {
    'orders.list': timedRead(ListOrdersQuery, Page(OrderSchema)),
    'orders.get': timedRead(IdParams, OrderSchema),
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
    // Whole or some tickets (`ticket_ids`); each ticket once, under the order's row lock.
    'orders.refund': write(RefundOrderParams, OrderSchema),
    'orders.payCash': write(CashPaymentParams, OrderSchema),
    'orders.payments': timedRead(IdParams, Type.Array(PaymentTransactionSchema)),
    'payments.get': timedRead(IdParams, PaymentTransactionSchema),
    'payments.settle': write(IdParams, PaymentTransactionSchema),
    'payments.paynowResult': write(PaynowResultParams, WebhookReceived),
    // Ticketing's calls for `POST /tickets` and `DELETE /tickets/{id}`; no routes.
    'orders.addUnit': write(AddOrderUnitParams, AddedOrderUnit, { idempotentOn: 'ref' }),
    'orders.removeUnit': write(RemoveOrderUnitParams, RemovedOrderUnit, { idempotentOn: 'ref' }),
    'payments.stripeWebhook': write(StripeWebhookParams, WebhookReceived),
  },
  events: {
    // v2 of each: payment_method and expires_at, for the messages notifications sends.
    'ordering.order.created': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
    'ordering.order.paid': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
    'ordering.order.cancelled': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
    'ordering.order.expired': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
    'ordering.order.refunded': versionedEvent({ 1: OrderFacts, 2: OrderFactsWithPayment }),
    'ordering.order.partially_refunded': versionedEvent({ 1: PartialRefundFacts }),
  },
});
