import { Type, type Static } from '@sinclair/typebox';
import { DateOrTimestamp, Id, IdAndChanges, Timestamp } from './common';
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
] as const;
export const PAYMENT_STATUSES = ['pending', 'completed', 'failed', 'refunded', 'cancelled', 'expired'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PaymentMethodSchema = Type.Union(PAYMENT_METHODS.map((m) => Type.Literal(m)));
export const PaymentStatusSchema = Type.Union(PAYMENT_STATUSES.map((s) => Type.Literal(s)));

/** `Idempotency-Key` header: 1-255 visible ASCII characters. */
export const IdempotencyKey = Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' });

export const OrderItemSchema = Type.Object(
  { ticket_type_id: Id, quantity: Type.Integer({ minimum: 1 }), unit_price: Type.Number() },
  { additionalProperties: false },
);

export const OrderSchema = Type.Object(
  {
    id: Id,
    user_id: Id,
    event_id: Id,
    order_date: Timestamp,
    total_price: Type.Number(),
    currency: Type.String(),
    payment_method: PaymentMethodSchema,
    payment_status: PaymentStatusSchema,
    expires_at: Type.Union([Timestamp, Type.Null()]),
    items: Type.Array(OrderItemSchema),
    /** Present while a provider needs the client to act (Stripe: confirm the PaymentIntent). */
    payment: Type.Optional(
      Type.Object(
        { provider: Type.String(), status: Type.String(), client_secret: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    created_at: Timestamp,
    updated_at: Timestamp,
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

/** `POST /orders/{id}/pay`: `fail: true` asks the built-in test provider to decline (ignored by real providers). */
export const PayOrderBody = Type.Object(
  { fail: Type.Optional(Type.Boolean({ description: 'test provider only: decline this payment' })) },
  { additionalProperties: false },
);
export type PayOrderBody = Static<typeof PayOrderBody>;

export const PayOrderParams = Type.Object(
  { id: Id, ...PayOrderBody.properties, idempotency_key: Type.Optional(IdempotencyKey) },
  { additionalProperties: false },
);
export type PayOrderParams = Static<typeof PayOrderParams>;

/** `ordering.payments.stripeWebhook`: Stripe's call as the gateway received it; the signature is the authentication. */
export const StripeWebhookParams = Type.Object(
  {
    payload: Type.String({ description: 'The raw request body, exactly as received: the signature covers it' }),
    signature: Type.String({ description: 'The Stripe-Signature header' }),
  },
  { additionalProperties: false },
);
export type StripeWebhookParams = Static<typeof StripeWebhookParams>;

export const StripeWebhookReceived = Type.Object({ received: Type.Literal(true) }, { additionalProperties: false });

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
