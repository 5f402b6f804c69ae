import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { visibleOrder } from '../orders/find-order';
import { toOrderView } from '../orders/order-view';

export function getOrderAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.get', async (ctx) => {
    const { models } = ordering();
    const order = await visibleOrder(models, authenticatedCaller(ctx), ctx.params.id);
    const waiting = await models.Payment.query().where({ order_id: order.id, state: 'initiated' }).first();
    return toOrderView(order, waiting?.client_secret ? waiting : undefined);
  });
}
