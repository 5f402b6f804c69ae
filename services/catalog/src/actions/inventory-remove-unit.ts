import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { removeUnit } from '../inventory/remove-unit';

/** Called by ordering when a unit is taken off a pending order; not routed over HTTP. */
export function removeUnitInventoryAction(catalog: CatalogAccess) {
  return defineAction('catalog.inventory.removeUnit', async (ctx) => {
    const { resources, config } = catalog();
    const removed = await removeUnit(resources.db, ctx.params, config.WAITLIST_OFFER_SECONDS);
    ctx.locals.logger.info(
      { orderId: ctx.params.order_id, ticketTypeId: ctx.params.ticket_type_id, quantity: removed.quantity },
      'inventory unit removed',
    );
    return removed;
  });
}
