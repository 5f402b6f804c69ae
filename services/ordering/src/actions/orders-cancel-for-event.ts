import { defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { cancelEventOrders } from '../orders/cancel-event-orders';

/** Called by catalog once an event is deleted; not routed over HTTP. */
export function cancelForEventAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.cancelForEvent', async (ctx) => {
    const cancelled = await cancelEventOrders(ordering(), ctx, ctx.params.event_id);
    ctx.locals.logger.info({ eventId: ctx.params.event_id, cancelled }, 'pending orders of a deleted event cancelled');
    return { event_id: ctx.params.event_id, cancelled };
  });
}
