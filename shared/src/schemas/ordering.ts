import { Type, type Static } from '@sinclair/typebox';
import { AuditTimestamps, DateOrTimestamp, Id, IdAnd, IdAndChanges, Timestamp } from './common';
import { PromoCodeText } from './catalog';
import { RefundTicketIds } from './ticketing';
import { PageQuery } from '../pagination';
import { DecimalTextSchema } from '../money';

export const PAYMENT_METHODS = [
  'credit_card',
  'debit_card',
  'paypal',
  'stripe',
  'ecocash',
  'onemoney',
  'cash',
  'paynow',
] as const;
export const PAYMENT_STATUSES = [
  'pending',
  'completed',
  'failed',
  'refunded',
  'cancelled',
  'expired',
  'partially_refunded',
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PaymentMethodSchema = Type.Union(PAYMENT_METHODS.map((m) => Type.Literal(m)));
export const PaymentStatusSchema = Type.Union(PAYMENT_STATUSES.map((s) => Type.Literal(s)));

/** `Idempotency-Key` header: 1-255 visible ASCII characters. */
export const IdempotencyKey = Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' });

export const OrderItemSchema = Type.Object(
  {
    ticket_type_id: Id,
    quantity: Type.Integer({ minimum: 1 }),
    unit_price: Type.Number(),
    discount: Type.Number({ description: "Taken off this line (quantity × unit_price) by the order's promo code" }),
  },
  { additionalProperties: false },
);

export const OrderSchema = Type.Object(
  {
    id: Id,
    user_id: Id,
    event_id: Id,
    order_date: Timestamp,
    total_price: Type.Number({ description: "What is to be paid: the items' prices less `discount`" }),
    discount: Type.Number({ description: "The items' discounts added up" }),
    promo_code: Type.Union([Type.String(), Type.Null()], { description: 'The promo code the order used' }),
    currency: Type.String(),
    payment_method: PaymentMethodSchema,
    payment_status: PaymentStatusSchema,
    expires_at: Type.Union([Timestamp, Type.Null()]),
    items: Type.Array(OrderItemSchema),
    /**
     * Present while a payment is under way: Stripe waits for the client to confirm the
     * PaymentIntent (`client_secret`); Paynow waits for the buyer to confirm on the phone
     * (`awaiting_confirmation`, with `instructions`, or `redirect_url` for web checkout).
     */
    payment: Type.Optional(
      Type.Object(
        {
          id: Type.Optional(Id),
          provider: Type.String(),
          status: Type.String(),
          client_secret: Type.Optional(
            Type.String({ description: 'Stripe: what the client confirms; the buyer only' }),
          ),
          instructions: Type.Optional(Type.String()),
          redirect_url: Type.Optional(
            Type.String({ description: 'Paynow web checkout: where the buyer pays; the buyer only' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    ...AuditTimestamps,
  },
  { $id: 'Order', additionalProperties: false },
);
export type Order = Static<typeof OrderSchema>;

export const CreateOrderBody = Type.Object(
  {
    event_id: Id,
    payment_method: PaymentMethodSchema,
    items: Type.Array(
      Type.Object(
        { ticket_type_id: Id, quantity: Type.Integer({ minimum: 1, maximum: 100000 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    promo_code: Type.Optional(PromoCodeText),
  },
  { additionalProperties: false },
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const CreateOrderParams = Type.Object(
  { ...CreateOrderBody.properties, idempotency_key: Type.Optional(IdempotencyKey) },
  { additionalProperties: false },
);
export type CreateOrderParams = Static<typeof CreateOrderParams>;

/** Owners change `payment_method` while pending; admins change `payment_status` by hand. */
export const UpdateOrderBody = Type.Object(
  { payment_method: Type.Optional(PaymentMethodSchema), payment_status: Type.Optional(PaymentStatusSchema) },
  { additionalProperties: false, minProperties: 1, errorMessage: 'at least one field to change is required' },
);
export type UpdateOrderBody = Static<typeof UpdateOrderBody>;

export const UpdateOrderParams = IdAndChanges(UpdateOrderBody);
export type UpdateOrderParams = Static<typeof UpdateOrderParams>;

export const ListOrdersQuery = Type.Object(
  {
    ...PageQuery,
    event_id: Type.Optional(Id),
    payment_status: Type.Optional(PaymentStatusSchema),
    from_date: Type.Optional(DateOrTimestamp),
    to_date: Type.Optional(DateOrTimestamp),
  },
  { additionalProperties: false },
);
export type ListOrdersQuery = Static<typeof ListOrdersQuery>;

/** A mobile money number as Paynow takes it: Zimbabwean, `07…` or `+2637…`/`2637…`. */
export const MobileMoneyPhone = Type.String({
  pattern: '^(\\+?263|0)7[0-9]{8}$',
  description: 'The EcoCash/OneMoney number to push the payment to (`0771234567` or `+263771234567`)',
  errorMessage: 'must be a Zimbabwean mobile number: 07XXXXXXXX or +2637XXXXXXXX',
});

/** `POST /orders/{id}/pay`: `fail: true` asks the built-in test provider to decline (ignored by real providers). */
export const PayOrderBody = Type.Object(
  {
    fail: Type.Optional(Type.Boolean({ description: 'test provider only: decline this payment' })),
    phone: Type.Optional(MobileMoneyPhone),
  },
  { additionalProperties: false },
);
export type PayOrderBody = Static<typeof PayOrderBody>;

export const PayOrderParams = Type.Object(
  { id: Id, ...PayOrderBody.properties, idempotency_key: Type.Optional(IdempotencyKey) },
  { additionalProperties: false },
);
export type PayOrderParams = Static<typeof PayOrderParams>;

/** `POST /orders/{id}/refund`: without `ticket_ids` the whole order (what is left of it) is refunded. */
export const RefundOrderBody = Type.Object(
  {
    ticket_ids: Type.Optional({
      ...RefundTicketIds,
      description: "Refund only these tickets of the order (each at its type's price); at most 1000, each once",
    }),
  },
  { additionalProperties: false },
);
export type RefundOrderBody = Static<typeof RefundOrderBody>;

export const RefundOrderParams = IdAnd(RefundOrderBody);
export type RefundOrderParams = Static<typeof RefundOrderParams>;

/** `POST /orders/{id}/payments/cash`: the amount taken must be the order's total. */
export const CashPaymentBody = Type.Object(
  {
    amount: Type.Number({
      minimum: 0,
      maximum: 10000000,
      multipleOf: 0.01,
      description: "The cash taken: exactly the order's total_price (else 422)",
    }),
    note: Type.Optional(
      Type.String({
        maxLength: 500,
        pattern: '^[^\\u0000]*$',
        description: 'Receipt number, till, anything for the books',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CashPaymentBody = Static<typeof CashPaymentBody>;

export const CashPaymentParams = IdAnd(CashPaymentBody);
export type CashPaymentParams = Static<typeof CashPaymentParams>;

export const PAYMENT_TRANSACTION_STATES = [
  'pending',
  'awaiting_confirmation',
  'completed',
  'failed',
  'cancelled',
  'refunded',
  'refund_owed',
] as const;

/** One row of the payment ledger: money in (`payment`) or back (`refund`). */
export const PaymentTransactionSchema = Type.Object(
  {
    id: Id,
    order_id: Id,
    kind: Type.Union([Type.Literal('payment'), Type.Literal('refund')]),
    provider: Type.String({
      description: '`test`, `stripe`, `paynow`, `cash` (or `none`: an order completed by hand)',
    }),
    provider_reference: Type.Union([Type.String(), Type.Null()], {
      description: "The provider's id of it (Stripe PaymentIntent or refund, Paynow reference)",
    }),
    amount: Type.Number(),
    currency: Type.String(),
    state: Type.Union(
      PAYMENT_TRANSACTION_STATES.map((s) => Type.Literal(s)),
      { description: 'A refund is `refund_owed` until someone pays it out (`refunded`, with `settled_by`)' },
    ),
    refund_of: Type.Union([Id, Type.Null()], { description: 'A refund: the payment whose money it returns' }),
    ticket_ids: Type.Union([Type.Array(Id), Type.Null()], { description: "A partial refund's tickets" }),
    recorded_by: Type.Union([Id, Type.Null()], {
      description: 'Who: the buyer who paid, the organizer or admin who took the cash or refunded',
    }),
    settled_by: Type.Union([Id, Type.Null()]),
    settled_at: Type.Union([Timestamp, Type.Null()]),
    note: Type.Union([Type.String(), Type.Null()]),
    redirect_url: Type.Optional(
      Type.String({
        description:
          "Paynow web checkout: where the buyer pays. Shown to the buyer only, never to the event's organizer or an admin",
      }),
    ),
    ...AuditTimestamps,
  },
  { $id: 'PaymentTransaction', additionalProperties: false },
);
export type PaymentTransaction = Static<typeof PaymentTransactionSchema>;

/** `POST /payments/webhooks/paynow`: Paynow's status update as the gateway received it (form fields). */
export const PaynowResultParams = Type.Object(
  {
    fields: Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 2000 }), {
      description: 'The posted form fields, as Paynow sent them; its hash covers them',
    }),
  },
  { additionalProperties: false },
);
export type PaynowResultParams = Static<typeof PaynowResultParams>;

/** `ordering.payments.stripeWebhook`: Stripe's call as the gateway received it; the signature is the authentication. */
export const StripeWebhookParams = Type.Object(
  {
    payload: Type.String({ description: 'The raw request body, exactly as received: the signature covers it' }),
    signature: Type.String({ description: 'The Stripe-Signature header' }),
  },
  { additionalProperties: false },
);
export type StripeWebhookParams = Static<typeof StripeWebhookParams>;

/** What a provider's callback is answered once it is taken (or was already). */
export const WebhookReceived = Type.Object({ received: Type.Literal(true) }, { additionalProperties: false });

/** `ordering.orders.addUnit` (ticketing's `POST /tickets`): one more unit of a pending order. */
export const AddOrderUnitParams = Type.Object(
  { id: Id, ticket_type_id: Id, ref: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type AddOrderUnitParams = Static<typeof AddOrderUnitParams>;

/** `ordering.orders.removeUnit` (ticketing's `DELETE /tickets/{id}`): one unit fewer of a pending order. */
export const RemoveOrderUnitParams = AddOrderUnitParams;
export type RemoveOrderUnitParams = AddOrderUnitParams;

/** The order as it is now, and which unit of its item the added one is (1-based). */
export const AddedOrderUnit = Type.Object(
  { order: OrderSchema, unit: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export type AddedOrderUnit = Static<typeof AddedOrderUnit>;

/** The order as it is now, without the unit. */
export const RemovedOrderUnit = Type.Object({ order: OrderSchema }, { additionalProperties: false });
export type RemovedOrderUnit = Static<typeof RemovedOrderUnit>;

/**
 * `ordering.orders.cancelForEvent` (catalog, once an event is deleted): the event's pending orders
 * are cancelled (one placed while the event was being deleted: by the next expiry sweep); idempotent.
 */
export const CancelEventOrdersParams = Type.Object({ event_id: Id }, { additionalProperties: false });
export type CancelEventOrdersParams = Static<typeof CancelEventOrdersParams>;

/** How many pending orders of the event this call cancelled (a repeat: none). */
export const EventOrdersCancelled = Type.Object({ event_id: Id, cancelled: Type.Integer({ minimum: 0 }) });
export type EventOrdersCancelled = Static<typeof EventOrdersCancelled>;

// --- Ordering's domain events (their payloads; the contract names them and their versions). ---

/** An order event tells the order as it is now, with its items and its money as decimal text. */
export const OrderFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    user_id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    total_price: DecimalTextSchema,
    currency: Type.String(),
    payment_status: Type.String(),
    items: Type.Array(
      Type.Object(
        {
          ticket_type_id: Type.Integer({ minimum: 1 }),
          quantity: Type.Integer({ minimum: 1 }),
          unit_price: DecimalTextSchema,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** With how the buyer pays and until when the order is held, for the messages notifications sends. */
export const OrderFactsWithPayment = Type.Object(
  {
    ...OrderFacts.properties,
    payment_method: Type.String(),
    expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);

/**
 * `ordering.order.partially_refunded`: the order as it is now (`OrderFactsWithPayment`), and what this
 * refund returned: its ledger row, the amount and the tickets.
 */
export const PartialRefundFacts = Type.Object(
  {
    ...OrderFactsWithPayment.properties,
    refund_id: Type.Integer({ minimum: 1 }),
    refund_amount: DecimalTextSchema,
    ticket_ids: Type.Array(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
