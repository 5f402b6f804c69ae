import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { payForOrder } from '../orders/pay-for-order';

export function payOrderAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.pay', async (ctx) =>
    payForOrder(ordering(), ctx, authenticatedCaller(ctx), ctx.params),
  );
}
