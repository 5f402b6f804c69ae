import { dateRangeConditions, isAdmin, paginate, type AuthUser, type PageOf, type ParamsOf } from '@ticketpro/shared';
import type { Order, OrderingModels } from '../models';
import { LAPSED } from '../models/order';

/** The caller's own orders (an admin's: everyone's), newest first; a status filter sees lapsed orders as expired. */
export async function listOrders(
  models: OrderingModels,
  caller: AuthUser,
  { skip, limit, event_id, payment_status, from_date, to_date }: ParamsOf<'ordering.orders.list'>,
): Promise<PageOf<Order>> {
  const query = models.Order.query()
    .modify('withLapse')
    .withGraphFetched('items')
    .orderBy([
      { column: 'orders.order_date', order: 'desc' },
      { column: 'orders.id', order: 'desc' },
    ]);
  if (!isAdmin(caller)) query.where('orders.user_id', caller.id);
  if (event_id !== undefined) query.where('orders.event_id', event_id);
  if (payment_status === 'expired') {
    query.where((q) => {
      q.where('orders.payment_status', 'expired').orWhereRaw(LAPSED);
    });
  } else if (payment_status === 'pending') {
    query.where('orders.payment_status', 'pending').whereRaw(`NOT ${LAPSED}`);
  } else if (payment_status !== undefined) {
    query.where('orders.payment_status', payment_status);
  }
  for (const [operator, at] of dateRangeConditions(from_date, to_date)) query.where('orders.order_date', operator, at);
  return paginate(query, { skip, limit });
}
