import { RemoveOrderUnitParams, defineAction, type Order } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { callsFrom } from '../orders/catalog-inventory';
import { removeOrderUnit } from '../orders/remove-order-unit';
import { toOrderView } from '../orders/order-view';

/** Called by ticketing for `DELETE /tickets/{id}` of a reserved ticket; not routed over HTTP. */
export function removeOrderUnitAction(ordering: OrderingAccess) {
  return defineAction(RemoveOrderUnitParams, async (ctx): Promise<{ order: Order }> => {
    const caller = authenticatedCaller(ctx);
    const order = await removeOrderUnit(ordering(), callsFrom(ctx), caller, ctx.params);
    ctx.locals.logger.info(
      { orderId: order.id, ticketTypeId: ctx.params.ticket_type_id, by: caller.id },
      'unit removed from order',
    );
    return { order: toOrderView(order) };
  });
}
