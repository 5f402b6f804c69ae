import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  CreateOrderBody,
  IdParams,
  IdempotencyKey,
  ListOrdersQuery,
  MessageSchema,
  NoParams,
  NotificationSchema,
  OrderSchema,
  Page,
  PayOrderBody,
  RefundOrderBody,
  CashPaymentBody,
  PaymentTransactionSchema,
  UpdateOrderBody,
} from '@ticketpro/shared';
import {
  EXAMPLE_EVENT,
  EXAMPLE_NOTIFICATION,
  EXAMPLE_ORDER,
  EXAMPLE_PAID_ORDER,
  EXAMPLE_TICKET_TYPE,
  pageExample,
  EXAMPLE_TRANSACTION,
} from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['orders'];
const Order = Type.Ref(OrderSchema);

/** In lower case, as Node hands headers over: with ajv as the validator, fastify leaves header schemas as written. */
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional({
    ...IdempotencyKey,
    description: 'Retrying with the same key within 24 h replays the first answer and does nothing else',
    examples: ['5f0c9a1e-7d43-4b8e-9a51-2c6d8e3f4b70'],
  }),
});

/** The action's `idempotency_key`, when the client sent the header (validated by then). */
const idempotencyKeyOf = (request: FastifyRequest) => {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? { idempotency_key: key } : {};
};

/**
 * `/orders`: every route needs a token. Whose order is whose, who may change what and every
 * state rule are ordering's decisions; the gateway checks shapes and says who asks.
 */
export const orderRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'GET',
      url: '',
      summary: "List orders, newest first: the caller's own (admins: everyone's), filtered by event, status or dates",
      description:
        "A user sees their own orders; an admin everyone's. Filter by `event_id`, `payment_status`, `from_date` and `to_date`.",
      tags: TAGS,
      auth: true,
      action: 'ordering.orders.list',
      examples: { response: pageExample(EXAMPLE_ORDER) },
      status: 200,
      querystring: ListOrdersQuery,
      response: { ...Page(Order), description: 'A page of orders, newest first' },
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id',
      summary: 'One order (its owner or an admin)',
      description:
        "The order with its items and prices. Another user's order is answered 404, never its data. While a " +
        'payment waits on the client or the buyer, a pending order carries it as `payment`: a Stripe ' +
        '`client_secret` to confirm, or a payment awaited at Paynow (`status: "awaiting_confirmation"` with its ' +
        '`instructions`).',
      tags: TAGS,
      auth: true,
      action: 'ordering.orders.get',
      examples: { response: EXAMPLE_PAID_ORDER },
      status: 200,
      params: IdParams,
      response: { ...Order, description: 'The order' },
      problems: ['not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '',
      summary: 'Order tickets: holds the units at once, prices them, and answers a pending order that expires',
      description:
        'One account may hold at most `MAX_PENDING_ORDERS_PER_USER` unpaid orders (default 10) and ' +
        '`MAX_PENDING_UNITS_PER_EVENT` unpaid units of one event across them (default 50). Beyond them this answers ' +
        '409 with `limit` and what is held (`pending_orders`, or `held` and `asked`), and holds nothing; a single ' +
        'order above the unit limit is 422. Paying, cancelling or letting an order lapse frees its share at once. ' +
        'Admins are exempt. Orders placed at the same instant by one account are counted one after the other. ' +
        'A `promo_code` of the event (any case) discounts the lines it applies to: `percent_off` of each line ' +
        "(quantity × unit price), rounded per line half to even to the currency's minor unit (USD cents, JPY yen), " +
        'or `amount_off` off each ticket, never more than its price; `discount` is given per item and in all, and ' +
        '`total_price` is what is left to pay. The order uses the code from now on; cancelled or expired, it gives the ' +
        'use back. An unknown, not yet valid, expired or used-up code is 422 naming it, and nothing is held. An ' +
        'order with a code is changed and refunded whole only (409 unit by unit). An event with a `capacity` sells ' +
        'no more seats across its ticket types than it: beyond it this answers 409. ' +
        'Units a waiting list offered the caller (`GET /tickets/types/{id}/waitlist`) are taken first: ordering the ' +
        'ticket type before the offer expires claims them, and any the order does not take pass on to the next entry.',
      tags: TAGS,
      auth: true,
      action: 'ordering.orders.create',
      examples: {
        request: {
          event_id: EXAMPLE_EVENT.id,
          payment_method: 'credit_card',
          items: [{ ticket_type_id: EXAMPLE_TICKET_TYPE.id, quantity: 2 }],
          promo_code: 'JAZZ10',
        },
        response: EXAMPLE_ORDER,
      },
      status: 201,
      body: CreateOrderBody,
      headers: IdempotencyHeaders,
      response: { ...Order, description: 'The new pending order' },
      problems: ['not-found', 'conflict'],
      toParams: (request) => ({ ...(request.body as CreateOrderBody), ...idempotencyKeyOf(request) }),
    }),
  );

  app.route(
    serviceRoute({
      method: 'PUT',
      url: '/:id',
      summary: 'Change an order: its owner the payment method while pending, an admin the payment status',
      description:
        'Only the fields sent change. The owner may change `payment_method` while the order is pending; an admin may set `payment_status` by hand. Any other change is refused (403 or 409).',
      tags: TAGS,
      auth: true,
      action: 'ordering.orders.update',
      examples: { request: { payment_method: 'ecocash' }, response: { ...EXAMPLE_ORDER, payment_method: 'ecocash' } },
      status: 200,
      params: IdParams,
      body: UpdateOrderBody,
      response: { ...Order, description: 'The changed order' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'DELETE',
      url: '/:id',
      summary: 'Cancel a pending order (its owner or an admin): its units are released; a paid order needs a refund',
      description:
        "Its held units go back to the event's inventory at once. A paid order is refused (409): ask for a refund.",
      tags: TAGS,
      auth: true,
      action: 'ordering.orders.cancel',
      examples: { response: { message: 'Order cancelled' } },
      status: 200,
      params: IdParams,
      response: { ...MessageSchema, description: 'The order is cancelled' },
      problems: ['not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/:id/pay',
      summary: 'Pay a pending order (its owner) through the configured payment provider',
      tags: TAGS,
      auth: true,
      action: 'ordering.orders.pay',
      examples: { request: {}, response: EXAMPLE_PAID_ORDER },
      status: 200,
      params: IdParams,
      // Keyed by content type, so a request without a body (the usual case) is not validated as one.
      body: { content: { 'application/json': { schema: PayOrderBody } } },
      headers: IdempotencyHeaders,
      description:
        "Charges the order's total with its payment method. On success the order is `completed` and its tickets " +
        'are issued, one per unit. With an `Idempotency-Key` a retried request is answered as the first was and ' +
        'charges once. While the payment is under way (awaiting the buyer, or a Stripe PaymentIntent to confirm) ' +
        'a pay with the same method, amount and phone, with or without a key, answers that payment again (202 ' +
        'while it is awaited) without asking the provider again; pays at the same instant make one payment (one ' +
        "that the provider's answer keeps waiting past its own timeout gets 503 with Retry-After, which a key does " +
        'not keep: retried, it gets the payment). A pay ' +
        'that differs (the method or total changed since, another `phone`) is 409 naming it (`payment_id`). ' +
        "The order's `payment_method` picks the provider: with Paynow configured, `ecocash` and `onemoney` push " +
        "the payment to the buyer's phone (`phone` in the body, else the number on the account; sent to Paynow as " +
        '`07XXXXXXXX`) and answer 202 with `payment.status: "awaiting_confirmation"` and `payment.instructions` to ' +
        'show; `paynow` answers 202 with `payment.redirect_url` (web checkout, shown to the buyer again by a ' +
        'repeated pay, `GET /orders/{id}` and the ledger; Paynow sends the buyer back to ' +
        "`PAYNOW_RETURN_URL` with `order_id` added to its query). While the payment is awaited the order's hold is kept up to " +
        "`PAYMENT_PENDING_MAX_SECONDS`; Paynow's callback (or polling) completes the order, or fails it and " +
        'releases its units. A `cash` order is paid at the door (`POST /orders/{id}/payments/cash`): 409 here.',
      response: { ...Order, description: 'The order, completed (or waiting for the client, with Stripe)' },
      accepted: {
        when: (order) => order.payment?.status === 'awaiting_confirmation',
        description: 'The payment is awaited: the buyer confirms on the phone (or at the redirect URL)',
        example: {
          ...EXAMPLE_ORDER,
          payment_method: 'ecocash',
          payment: {
            id: 501,
            provider: 'paynow',
            status: 'awaiting_confirmation',
            instructions: 'Dial *151*2*7# and enter your EcoCash PIN to approve the payment',
          },
        },
      },
      problems: ['forbidden', 'not-found', 'conflict'],
      toParams: (request) => ({
        ...(request.body as PayOrderBody | undefined),
        ...(request.params as { id: number }),
        ...idempotencyKeyOf(request),
      }),
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/:id/refund',
      summary:
        "Refund a completed order, whole or some of its tickets (an admin or the event's organizer): tickets " +
        'voided, units returned',
      description:
        'A used ticket is never refunded: if a ticket to refund (any ticket of the order, for a whole refund) ' +
        'was checked in, the refund is refused (409, `detail` saying how many are used, `used_ticket_ids` listing ' +
        'them) and nothing changes. Without a body (or without `ticket_ids`) what is left of the order is refunded ' +
        'and it becomes `refunded`. With `ticket_ids`, exactly those tickets are voided, exactly their units go ' +
        'back on sale, the refund is their prices (each at what the order paid for its type), and the order is ' +
        '`partially_refunded` until every unit is refunded. Each ticket is refunded once: a ticket refunded before ' +
        'is 409 (`refunded_ticket_ids`), one not of the order 404 (`unknown_ticket_ids`). The tickets are voided ' +
        'before the money goes back, so once this answers none of them is admitted, and a check-in racing the ' +
        'refund either wins (the refund is refused) or is refused itself, never both. Money goes back through the ' +
        'provider that took it; where it cannot (cash, EcoCash/OneMoney) the refund is recorded `refund_owed` in ' +
        '`GET /orders/{id}/payments` until it is settled (`POST /payments/transactions/{id}/settle`). A refund that ' +
        'fails part-way (503) is finished by asking again.',
      tags: TAGS,
      auth: true,
      action: 'ordering.orders.refund',
      examples: { request: {}, response: { ...EXAMPLE_PAID_ORDER, payment_status: 'refunded' } },
      status: 200,
      params: IdParams,
      // Keyed by content type, so a request without a body (a whole refund) is not validated as one.
      body: { content: { 'application/json': { schema: RefundOrderBody } } },
      response: { ...Order, description: 'The order, refunded or partially refunded' },
      problems: ['forbidden', 'not-found', 'conflict'],
      toParams: (request) => ({
        ...(request.body as RefundOrderBody | undefined),
        ...(request.params as { id: number }),
      }),
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/:id/payments/cash',
      examples: {
        request: { amount: EXAMPLE_PAID_ORDER.total_price, note: 'Paid at the box office' },
        response: { ...EXAMPLE_PAID_ORDER, payment_method: 'cash' },
      },
      summary: "Record cash taken at the door for a pending order (the event's organizer or an admin)",
      description:
        "The amount must be the order's `total_price` (422 otherwise). The payment is recorded in the ledger with " +
        'who took the money, then the order completes like any paid order: the sale is confirmed and tickets are ' +
        'issued. An order that is not pending, has lapsed, or has another payment under way is 409 and nothing is ' +
        "recorded; the order's owner gets 403, anyone else 404. A refund of a cash payment is owed until settled.",
      tags: TAGS,
      auth: true,
      action: 'ordering.orders.payCash',
      status: 200,
      params: IdParams,
      body: CashPaymentBody,
      response: { ...Order, description: 'The completed order' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id/payments',
      examples: { response: [EXAMPLE_TRANSACTION] },
      summary: "The order's payment ledger, oldest first (its buyer, the event's organizer or an admin)",
      description:
        'Every payment attempt and every refund of the order is a row: provider and its reference, amount, ' +
        'currency, state (`pending`, `awaiting_confirmation`, `completed`, `failed`, `cancelled`, `refunded`, ' +
        '`refund_owed`), who recorded it and when. Anyone else gets 404.',
      tags: TAGS,
      auth: true,
      action: 'ordering.orders.payments',
      status: 200,
      params: IdParams,
      response: { ...Type.Array(Type.Ref(PaymentTransactionSchema)), description: "The order's ledger rows" },
      problems: ['not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/:id/resend',
      summary: "Send a paid order's tickets again (its buyer or an admin): one more ticket delivery to the buyer",
      description:
        "The message is queued and sent shortly after (202), with the order's tickets that are still valid, each " +
        "QR code inline and a PDF of them all; `GET /notifications` shows its state. Another user's order is " +
        'answered 404, as a missing one; an order that is not paid, or has no valid ticket, 409. Each user may ask ' +
        '`RATE_LIMIT_RESEND` times an hour (default 5): beyond, 429. No body, or an empty JSON object.',
      tags: TAGS,
      auth: true,
      action: 'notifications.orders.resend',
      status: 202,
      examples: {
        request: {},
        response: { ...EXAMPLE_NOTIFICATION, status: 'queued', attempts: 0, provider_message_id: null, sent_at: null },
      },
      params: IdParams,
      // Keyed by content type, so a request without a body (the usual case) is not validated as one.
      body: { content: { 'application/json': { schema: NoParams } } },
      response: { ...Type.Ref(NotificationSchema), description: 'The queued ticket delivery' },
      problems: ['not-found', 'conflict', 'rate-limited'],
      toParams: (request) => ({ id: (request.params as { id: number }).id }),
    }),
  );
};
