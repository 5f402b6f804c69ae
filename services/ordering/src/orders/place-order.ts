import type { Knex } from 'knex';
import type { AuthUser, CreateOrderBody } from '@ticketpro/shared';
import type { Order } from '../models';
import type { OrderingRuntime } from '../runtime';
import { recordOrderEvent } from '../domain-events';
import { holdUnits, type ServiceCall } from './catalog-inventory';
import { readOrder } from './find-order';

/**
 * The first steps of the saga, in the caller's transaction: reserve the order id, have catalog
 * hold the units for it (all or nothing; a refusal throws and nothing is written), then insert the
 * order priced from the hold, and `ordering.order.created`. `onHeld` learns the id as soon as
 * the units are held, so the caller can release them if this transaction does not commit.
 */
export async function placeOrder(
  runtime: OrderingRuntime,
  call: ServiceCall,
  trx: Knex.Transaction,
  caller: AuthUser,
  body: CreateOrderBody,
  onHeld: (orderId: number) => void,
): Promise<Order> {
  const { models, config } = runtime;
  const { rows } = await trx.raw<{ rows: { id: number }[] }>(
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

  await models.Order.query(trx).insert({
    id: orderId,
    user_id: caller.id,
    event_id: body.event_id,
    total_price: hold.total_price,
    currency: hold.currency,
    payment_method: body.payment_method,
    payment_status: 'pending',
    expires_at: new Date(hold.expires_at),
  });
  await models.OrderItem.query(trx).insert(
    hold.items.map((item) => ({
      order_id: orderId,
      ticket_type_id: item.ticket_type_id,
      quantity: item.quantity,
      unit_price: item.unit_price,
    })),
  );
  const order = (await readOrder(models, orderId, { trx }))!;
  await recordOrderEvent(trx, 'ordering.order.created', order);
  return order;
}
