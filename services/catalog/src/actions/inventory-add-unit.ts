import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { addUnit } from '../inventory/add-unit';
import { holdLimitsOf } from '../inventory/holder-limits';

/** Called by ordering when a unit is added to a pending order; not routed over HTTP. */
export function addUnitInventoryAction(catalog: CatalogAccess) {
  return defineAction('catalog.inventory.addUnit', async (ctx) => {
    const { resources, config } = catalog();
    const added = await addUnit(resources.db, ctx.params, holdLimitsOf(config), config.WAITLIST_OFFER_SECONDS);
    ctx.locals.logger.info(
      { orderId: ctx.params.order_id, ticketTypeId: ctx.params.ticket_type_id, quantity: added.quantity },
      'inventory unit added',
    );
    return added;
  });
}
