import { authenticatedCaller, isAdmin, defineAction, paginate } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { LAPSED } from '../models/order';
import { dateRangeConditions } from '@ticketpro/shared';
import { toOrderView } from '../orders/order-view';

/** The caller's own orders (an admin's: everyone's), newest first; a status filter sees lapsed orders as expired. */
export function listOrdersAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.list', async (ctx) => {
    const { models } = ordering();
    const caller = authenticatedCaller(ctx);
    const { skip, limit, event_id, payment_status, from_date, to_date } = ctx.params;
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
    for (const [operator, at] of dateRangeConditions(from_date, to_date))
      query.where('orders.order_date', operator, at);
    const page = await paginate(query, { skip, limit });
    return { ...page, items: page.items.map((order) => toOrderView(order)) };
  });
}
