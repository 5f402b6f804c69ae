import { defineAction, GroupCommit, type HoldParams, type HoldResult } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { holdTogether } from '../inventory/hold-together';
import { holdLimitsOf } from '../inventory/holder-limits';

/** Orders of the same ticket types of one event: the holds that wait on the same rows. */
const rowsOf = (params: HoldParams) =>
  `${params.event_id}:${params.items
    .map((item) => item.ticket_type_id)
    .sort((a, b) => a - b)
    .join(',')}`;

/**
 * Called by ordering when an order is placed; not routed over HTTP. Holds of the same ticket
 * types that arrive while one is in flight are held together in the next transaction
 * (`holdTogether`); a hold that finds none in flight goes at once.
 */
export function holdInventoryAction(catalog: CatalogAccess) {
  const inFlight = new Map<string, GroupCommit<HoldParams, HoldResult>>();
  return defineAction('catalog.inventory.hold', async (ctx) => {
    const { resources, config } = catalog();
    const rows = rowsOf(ctx.params);
    let group = inFlight.get(rows);
    if (!group) {
      group = new GroupCommit((batch) =>
        holdTogether(resources.db, batch, holdLimitsOf(config), config.WAITLIST_OFFER_SECONDS),
      );
      inFlight.set(rows, group);
    }
    let hold: HoldResult;
    try {
      hold = await group.submit(ctx.params);
    } finally {
      if (!group.busy) inFlight.delete(rows);
    }
    ctx.locals.logger.info(
      { orderId: hold.order_id, total: hold.total_price, currency: hold.currency },
      'inventory held',
    );
    return hold;
  });
}
