import {
  prepared,
  type AuthUser,
  type CreateOrderBody,
  type Order as OrderView,
  type ServiceCaller,
} from '@ticketpro/shared';
import { CLAIM_STILL_HELD, type Attempt } from '../idempotency/idempotent';
import { LAPSED } from '../models/order';
import type { OrderingRuntime } from '../runtime';
import { orderEventEntry, recordOrderEventsWith } from '../domain-events';
import { holderOf, holdUnits } from './catalog-inventory';
import { toOrderView } from './order-view';

/**
 * The order, its items and `ordering.order.created` in one statement: it commits all of them or
 * none, as a transaction would, in one round trip instead of five. `:created` is the outbox's own
 * INSERT of the event; `answer` adds CTEs that commit with them (the idempotency key's answer).
 * The order's date (and first `created_at` and `updated_at`) is `:placedAt`, the caller's clock
 * as its hold's expiry and the models' timestamps are, so that the order is known whole before
 * the statement runs.
 * Returns the order as inserted, with the lapse `readOrder` would compute.
 */
const insertOrder = (answer: string, condition: string) => `WITH placed AS (
       INSERT INTO orders (id, user_id, event_id, order_date, total_price, discount, promo_code, currency,
         payment_method, payment_status, expires_at, created_at, updated_at)
       VALUES (:id, :userId, :eventId, :placedAt, :totalPrice, :discount, :promoCode, :currency, :paymentMethod,
         'pending', :expiresAt, :placedAt, :placedAt)
       RETURNING *, ${LAPSED} AS lapsed
     ), items AS (
       INSERT INTO order_items (order_id, ticket_type_id, quantity, unit_price, discount)
       SELECT :id, i.ticket_type_id, i.quantity, i.unit_price, i.discount
       FROM jsonb_to_recordset(CAST(:items AS jsonb))
         AS i(ticket_type_id int, quantity int, unit_price numeric, discount numeric)
     ), created AS (:created)${answer}
     SELECT * FROM placed${condition}`;

/** `insertOrder` alone; exported for the benchmark's single-process checkout. */
export const INSERT_ORDER = insertOrder('', '');

/**
 * `insertOrder` with the idempotency key's answer, `:answer` (`Attempt.answerInStatement`): it
 * commits only while the key's claim is this request's (a request taken over writes no order).
 */
const INSERT_ANSWERED_ORDER = insertOrder(', answered AS (:answer)', ` WHERE ${CLAIM_STILL_HELD}`);

/**
 * The first steps of the saga: take an order id (drawn in blocks, see OrderIds), have catalog hold the units for it (all or
 * nothing; a refusal throws and nothing is written), then write the order priced from the hold
 * and `ordering.order.created` (and, under an Idempotency-Key, the answer: the order's view, which
 * it resolves to) in one statement. A promo code goes with the hold: catalog reserves its use with
 * the units and prices the lines with it, so the order takes its discounts as held. A sequence is not transactional, so the id needs none, and no
 * transaction (nor its pooled connection) is held open while catalog works.
 * `onHeld` learns the id as soon as the units are held, so the caller can release them if the
 * insert does not commit.
 */
export async function placeOrder(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  body: CreateOrderBody,
  attempt: Attempt,
  onHeld: (orderId: number) => void,
): Promise<OrderView> {
  const { models, config, resources } = runtime;
  const orderId = await runtime.orderIds.next();
  const hold = await holdUnits(call, {
    order_id: orderId,
    event_id: body.event_id,
    holder: holderOf(caller, caller.id),
    items: body.items,
    expires_at: new Date(Date.now() + config.ORDER_HOLD_SECONDS * 1000).toISOString(),
    ...(body.promo_code === undefined ? {} : { promo_code: body.promo_code }),
  });
  onHeld(orderId);

  // The order as the statement inserts it. The items are the hold's, as inserted: the same
  // NUMERIC(12,2) prices, so nothing to read back.
  const placedAt = new Date();
  const order = models.Order.fromDatabaseJson({
    id: orderId,
    user_id: caller.id,
    event_id: body.event_id,
    order_date: placedAt,
    total_price: hold.total_price,
    discount: hold.discount,
    promo_code: hold.promo_code,
    currency: hold.currency,
    payment_method: body.payment_method,
    payment_status: 'pending',
    expires_at: new Date(hold.expires_at),
    created_at: placedAt,
    updated_at: placedAt,
    lapsed: Date.parse(hold.expires_at) <= placedAt.getTime(),
  });
  const items = hold.items.map((item) => ({ order_id: orderId, ...item }));
  order.items = items.map((item) => models.OrderItem.fromDatabaseJson(item));
  const view = toOrderView(order);

  const created = orderEventEntry('ordering.order.created', {
    id: orderId,
    user_id: caller.id,
    event_id: body.event_id,
    total_price: hold.total_price,
    currency: hold.currency,
    status: 'pending',
    payment_method: body.payment_method,
    expires_at: hold.expires_at,
    // The event's items keep their version's fields; the discount is in the total paid.
    items: hold.items.map(({ ticket_type_id, quantity, unit_price }) => ({ ticket_type_id, quantity, unit_price })),
  });
  const answer = attempt.answerInStatement?.(view);
  await recordOrderEventsWith(resources.db, [created], (insertCreated) =>
    prepared(
      resources.db.raw(answer ? INSERT_ANSWERED_ORDER : INSERT_ORDER, {
        id: orderId,
        userId: caller.id,
        eventId: body.event_id,
        placedAt,
        totalPrice: hold.total_price,
        discount: hold.discount,
        promoCode: hold.promo_code,
        currency: hold.currency,
        paymentMethod: body.payment_method,
        expiresAt: hold.expires_at,
        items: JSON.stringify(items),
        created: insertCreated,
        ...(answer ? { answer } : {}),
      }),
    ),
  );
  return view;
}
