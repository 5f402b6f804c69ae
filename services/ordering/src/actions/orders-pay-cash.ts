import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { recordCashPayment } from '../payments/record-cash';

export function payCashAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.payCash', async (ctx) => {
    const { id, ...body } = ctx.params;
    return recordCashPayment(ordering(), ctx, authenticatedCaller(ctx), id, body);
  });
}
