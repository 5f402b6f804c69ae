import { AddUnitParams, defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { addUnit } from '../inventory/add-unit';

/** Called by ordering when a unit is added to a pending order; not routed over HTTP. */
export function addUnitInventoryAction(catalog: CatalogAccess) {
  return defineAction(AddUnitParams, async (ctx) => {
    const added = await addUnit(catalog().resources.db, ctx.params);
    ctx.locals.logger.info(
      { orderId: ctx.params.order_id, ticketTypeId: ctx.params.ticket_type_id, quantity: added.quantity },
      'inventory unit added',
    );
    return added;
  });
}
