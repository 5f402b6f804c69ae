import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { restockHolds } from '../inventory/settle-holds';

/** Called by ordering when an order is refunded; not routed over HTTP. */
export function restockInventoryAction(catalog: CatalogAccess) {
  return defineAction('catalog.inventory.restock', async (ctx) => {
    const { resources, config } = catalog();
    const change = await restockHolds(resources.db, ctx.params.order_id, config.WAITLIST_OFFER_SECONDS);
    ctx.locals.logger.info({ orderId: change.order_id, units: change.units }, 'inventory restocked');
    return change;
  });
}
