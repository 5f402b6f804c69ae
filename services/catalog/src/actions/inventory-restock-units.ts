import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { restockUnits } from '../inventory/restock-units';

/** Called by ordering when some tickets of an order are refunded; not routed over HTTP. */
export function restockUnitsInventoryAction(catalog: CatalogAccess) {
  return defineAction('catalog.inventory.restockUnits', async (ctx) => {
    const { resources, config } = catalog();
    const change = await restockUnits(resources.db, ctx.params, config.WAITLIST_OFFER_SECONDS);
    ctx.locals.logger.info({ orderId: change.order_id, units: change.units }, 'inventory units restocked');
    return change;
  });
}
