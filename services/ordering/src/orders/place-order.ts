import { raw } from 'objection';
import type { AuthUser, CreateOrderBody } from '@ticketpro/shared';
import type { Order } from '../models';
import { LAPSED } from '../models/order';
import type { OrderingRuntime } from '../runtime';
import { recordOrderEvent } from '../domain-events';
import { holdUnits, type ServiceCall } from './catalog-inventory';

/**
 * The first steps of the saga: reserve the order id, have catalog hold the units for it (all or
 * nothing; a refusal throws and nothing is written), then insert the order priced from the hold,
 * and `ordering.order.created`, in one transaction. A sequence is not transactional, so the id
 * needs none, and no transaction (nor its pooled connection) is held open while catalog works.
 * `onHeld` learns the id as soon as the units are held, so the caller can release them if the
 * insert does not commit.
 */
export async function placeOrder(
  runtime: OrderingRuntime,
  call: ServiceCall,
  caller: AuthUser,
  body: CreateOrderBody,
  onHeld: (orderId: number) => void,
): Promise<Order> {
  const { models, config, resources } = runtime;
  const { rows } = await resources.db.raw<{ rows: { id: number }[] }>(
    "SELECT nextval(pg_get_serial_sequence('orders', 'id'))::int AS id",
  );
  const orderId = rows[0].id;
  const hold = await holdUnits(call, {
    order_id: orderId,
    event_id: body.event_id,
    items: body.items,
    expires_at: new Date(Date.now() + config.ORDER_HOLD_SECONDS * 1000).toISOString(),
  });
  onHeld(orderId);

  return resources.db.transaction(async (trx) => {
    // The rows as inserted, with the lapse `readOrder` would compute: no read back.
    const order = await models.Order.query(trx)
      .insert({
        id: orderId,
        user_id: caller.id,
        event_id: body.event_id,
        total_price: hold.total_price,
        currency: hold.currency,
        payment_method: body.payment_method,
        payment_status: 'pending',
        expires_at: new Date(hold.expires_at),
      })
      .returning(['*', raw(`${LAPSED} AS lapsed`)]);
    order.items = await models.OrderItem.query(trx)
      .insert(
        hold.items.map((item) => ({
          order_id: orderId,
          ticket_type_id: item.ticket_type_id,
          quantity: item.quantity,
          unit_price: item.unit_price,
        })),
      )
      .returning('*');
    await recordOrderEvent(trx, 'ordering.order.created', order);
    return order;
  });
}
