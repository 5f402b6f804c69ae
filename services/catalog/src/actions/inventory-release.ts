import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { releaseHolds } from '../inventory/settle-holds';

/** Called by ordering when an order is cancelled, fails or expires; not routed over HTTP. */
export function releaseInventoryAction(catalog: CatalogAccess) {
  return defineAction('catalog.inventory.release', async (ctx) => {
    const { resources, config } = catalog();
    const change = await releaseHolds(resources.db, ctx.params.order_id, config.WAITLIST_OFFER_SECONDS);
    ctx.locals.logger.info({ orderId: change.order_id, units: change.units }, 'inventory released');
    return change;
  });
}
