import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { changeOrder } from '../orders/change-order';
import { toOrderView } from '../orders/order-view';

export function updateOrderAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.update', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { id, ...changes } = ctx.params;
    const order = await changeOrder(ordering(), ctx, caller, id, changes);
    ctx.locals.logger.info({ orderId: id, by: caller.id, changes }, 'order changed');
    return toOrderView(order);
  });
}
