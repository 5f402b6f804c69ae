import { Type } from '@sinclair/typebox';
import { Id, UpdateOrderBody, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { callsFrom } from '../orders/catalog-inventory';
import { changeOrder } from '../orders/change-order';
import { toOrderView } from '../orders/order-view';

const UpdateOrderParams = Type.Object(
  { id: Id, ...UpdateOrderBody.properties },
  { additionalProperties: false, minProperties: 2, errorMessage: 'at least one field to change is required' },
);

export function updateOrderAction(ordering: OrderingAccess) {
  return defineAction(UpdateOrderParams, async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { id, ...changes } = ctx.params;
    const order = await changeOrder(ordering(), callsFrom(ctx), caller, id, changes);
    ctx.locals.logger.info({ orderId: id, by: caller.id, changes }, 'order changed');
    return toOrderView(order);
  });
}
