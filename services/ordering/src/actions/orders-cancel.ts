import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { cancelOrder } from '../orders/cancel-order';

export function cancelOrderAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.cancel', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    await cancelOrder(ordering(), ctx, caller, ctx.params.id);
    ctx.locals.logger.info({ orderId: ctx.params.id, by: caller.id }, 'order cancelled');
    return { message: 'Order cancelled' };
  });
}
