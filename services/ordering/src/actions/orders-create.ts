import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { createOrder } from '../orders/create-order';

/** Places an order: its units held in catalog, priced from the hold, pending until paid or expired. */
export function createOrderAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.create', async (ctx) =>
    createOrder(ordering(), ctx, authenticatedCaller(ctx), ctx.params),
  );
}
