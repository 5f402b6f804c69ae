import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { CoalescedHolds } from '../inventory/coalesced-holds';
import { holdLimitsOf } from '../inventory/holder-limits';

/** Called by ordering when an order is placed; not routed over HTTP. */
export function holdInventoryAction(catalog: CatalogAccess) {
  const holds = new CoalescedHolds(
    () => catalog().resources.db,
    () => catalog().logger,
  );
  return defineAction('catalog.inventory.hold', async (ctx) => {
    const { config } = catalog();
    const hold = await holds.hold(ctx.params, holdLimitsOf(config), config.WAITLIST_OFFER_SECONDS);
    ctx.locals.logger.info(
      { orderId: hold.order_id, total: hold.total_price, currency: hold.currency },
      'inventory held',
    );
    return hold;
  });
}
