import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { visibleOrderAndWaitingPayment } from '../orders/find-order';
import { toOrderView } from '../orders/order-view';

export function getOrderAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.get', async (ctx) => {
    const { order, waiting } = await visibleOrderAndWaitingPayment(
      ordering().models,
      authenticatedCaller(ctx),
      ctx.params.id,
    );
    return toOrderView(order, waiting);
  });
}
