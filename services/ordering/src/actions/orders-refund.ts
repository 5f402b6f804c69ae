import { IdParams, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { callsFrom } from '../orders/catalog-inventory';
import { refundOrder } from '../orders/refund-order';
import { toOrderView } from '../orders/order-view';

export function refundOrderAction(ordering: OrderingAccess) {
  return defineAction(IdParams, async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const order = await refundOrder(ordering(), callsFrom(ctx), caller, ctx.params.id);
    ctx.locals.logger.info({ orderId: order.id, by: caller.id }, 'order refunded');
    return toOrderView(order);
  });
}
