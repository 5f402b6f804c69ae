import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { extendHold } from '../inventory/extend-hold';

/** Called by ordering while a payment of the order is awaited; not routed over HTTP. */
export function extendHoldInventoryAction(catalog: CatalogAccess) {
  return defineAction('catalog.inventory.extendHold', async (ctx) => {
    const extended = await extendHold(catalog().resources.db, ctx.params);
    ctx.locals.logger.info({ orderId: extended.order_id, until: extended.expires_at }, 'hold extended');
    return extended;
  });
}
