import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { listOrders } from '../orders/list-orders';
import { toOrderView } from '../orders/order-view';

export function listOrdersAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.list', async (ctx) => {
    const page = await listOrders(ordering().models, authenticatedCaller(ctx), ctx.params);
    return { ...page, items: page.items.map((order) => toOrderView(order)) };
  });
}
