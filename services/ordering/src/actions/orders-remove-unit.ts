import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { removeOrderUnit } from '../orders/remove-order-unit';
import { toOrderView } from '../orders/order-view';

/** Called by ticketing for `DELETE /tickets/{id}` of a reserved ticket; not routed over HTTP. */
export function removeOrderUnitAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.removeUnit', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const order = await removeOrderUnit(ordering(), ctx, caller, ctx.params);
    ctx.locals.logger.info(
      { orderId: order.id, ticketTypeId: ctx.params.ticket_type_id, by: caller.id },
      'unit removed from order',
    );
    return { order: toOrderView(order) };
  });
}
