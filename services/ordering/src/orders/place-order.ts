import type { AuthUser, CreateOrderBody, ServiceCaller } from '@ticketpro/shared';
import type { Order } from '../models';
import { LAPSED } from '../models/order';
import type { OrderingRuntime } from '../runtime';
import { orderEventEntry, recordOrderEventsWith } from '../domain-events';
import { holderOf, holdUnits } from './catalog-inventory';

/**
 * The order, its items and `ordering.order.created` in one statement: it commits all of them or
 * none, as a transaction would, in one round trip instead of five. `:created` is the outbox's own
 * INSERT of the event. Returns the order as inserted, with the lapse `readOrder` would compute.
 * Exported for the benchmark's single-process checkout.
 */
export const INSERT_ORDER = `WITH placed AS (
       INSERT INTO orders (id, user_id, event_id, total_price, discount, promo_code, currency, payment_method,
         payment_status, expires_at)
       VALUES (:id, :userId, :eventId, :totalPrice, :discount, :promoCode, :currency, :paymentMethod, 'pending',
         :expiresAt)
       RETURNING *, ${LAPSED} AS lapsed
     ), items AS (
       INSERT INTO order_items (order_id, ticket_type_id, quantity, unit_price, discount)
       SELECT :id, i.ticket_type_id, i.quantity, i.unit_price, i.discount
       FROM jsonb_to_recordset(CAST(:items AS jsonb))
         AS i(ticket_type_id int, quantity int, unit_price numeric, discount numeric)
     ), created AS (:created)
     SELECT * FROM placed`;

/**
 * The first steps of the saga: take an order id (drawn in blocks, see OrderIds), have catalog hold the units for it (all or
 * nothing; a refusal throws and nothing is written), then write the order priced from the hold
 * and `ordering.order.created`. A promo code goes with the hold: catalog reserves its use with
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
  onHeld: (orderId: number) => void,
): Promise<Order> {
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

  // The items are the hold's, as inserted: the same NUMERIC(12,2) prices, so nothing to read back.
  const items = hold.items.map((item) => ({ order_id: orderId, ...item }));
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
  const inserted = await recordOrderEventsWith(resources.db, [created], (insertCreated) =>
    resources.db.raw<{ rows: object[] }>(INSERT_ORDER, {
      id: orderId,
      userId: caller.id,
      eventId: body.event_id,
      totalPrice: hold.total_price,
      discount: hold.discount,
      promoCode: hold.promo_code,
      currency: hold.currency,
      paymentMethod: body.payment_method,
      expiresAt: hold.expires_at,
      items: JSON.stringify(items),
      created: insertCreated,
    }),
  );
  const order = models.Order.fromDatabaseJson(inserted.rows[0]);
  order.items = items.map((item) => models.OrderItem.fromDatabaseJson(item));
  return order;
}
