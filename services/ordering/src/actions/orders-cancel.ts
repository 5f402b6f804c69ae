import { IdParams, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { callsFrom } from '../orders/catalog-inventory';
import { cancelOrder } from '../orders/cancel-order';

export function cancelOrderAction(ordering: OrderingAccess) {
  return defineAction(IdParams, async (ctx) => {
    const caller = authenticatedCaller(ctx);
    await cancelOrder(ordering(), callsFrom(ctx), caller, ctx.params.id);
    ctx.locals.logger.info({ orderId: ctx.params.id, by: caller.id }, 'order cancelled');
    return { message: 'Order cancelled' };
  });
}
