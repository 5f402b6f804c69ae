import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { confirmHolds } from '../inventory/settle-holds';

/** Called by ordering when an order is paid; not routed over HTTP. */
export function confirmInventoryAction(catalog: CatalogAccess) {
  return defineAction('catalog.inventory.confirm', async (ctx) => {
    const change = await confirmHolds(catalog().resources.db, ctx.params.order_id);
    ctx.locals.logger.info({ orderId: change.order_id, units: change.units }, 'inventory confirmed');
    return change;
  });
}
