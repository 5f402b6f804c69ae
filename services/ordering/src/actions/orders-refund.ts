import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { refundOrder } from '../orders/refund-order';
import { toOrderView } from '../orders/order-view';

export function refundOrderAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.refund', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { id, ticket_ids } = ctx.params;
    const order = await refundOrder(ordering(), ctx, caller, id, ticket_ids);
    ctx.locals.logger.info(
      { orderId: order.id, by: caller.id, tickets: ticket_ids?.length ?? 'all' },
      'order refunded',
    );
    return toOrderView(order);
  });
}
