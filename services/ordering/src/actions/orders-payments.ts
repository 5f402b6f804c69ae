import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { orderPayments } from '../payments/ledger';

export function orderPaymentsAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.payments', (ctx) =>
    orderPayments(ordering(), ctx, authenticatedCaller(ctx), ctx.params.id),
  );
}
