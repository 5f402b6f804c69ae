import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { addOrderUnit } from '../orders/add-order-unit';
import { toOrderView } from '../orders/order-view';

/** Called by ticketing for `POST /tickets`; not routed over HTTP. */
export function addOrderUnitAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.addUnit', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { order, unit } = await addOrderUnit(ordering(), ctx, caller, ctx.params);
    ctx.locals.logger.info(
      { orderId: order.id, ticketTypeId: ctx.params.ticket_type_id, unit, by: caller.id },
      'unit added to order',
    );
    return { order: toOrderView(order), unit };
  });
}
