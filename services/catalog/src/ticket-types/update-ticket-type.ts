import { ConflictError, NotFoundError, toDecimalText, type AuthUser, type ParamsOf } from '@ticketpro/shared';
import type { PartialModelObject } from 'objection';
import type { CatalogRuntime } from '../runtime';
import type { TicketType } from '../models';
import { catalogEvents } from '../domain-events';
import { reclaimExpiredHolds } from '../inventory/reclaim-expired-holds';
import { toDateOrNull } from '../timestamps';
import { lockForOffers, offerFreedUnits } from '../waitlist/offer-freed-units';
import { toTicketTypeFacts } from '../views/ticket-type-view';
import { findTicketType } from './find-ticket-type';
import { managedEvent } from './managed-event';
import { withSalesWindow } from './sales-window';

type TicketTypeChanges = Omit<ParamsOf<'catalog.ticketTypes.update'>, 'id'>;

/**
 * Changes a ticket type of an event the caller manages, recording `catalog.ticket_type.updated`;
 * its quantity never drops below the units sold and held (409). Units a raised quantity (or a
 * later sales end) makes free go to the waiting list first.
 */
export async function updateTicketType(
  catalog: CatalogRuntime,
  caller: AuthUser,
  id: number,
  { price, sales_start, sales_end, ...changes }: TicketTypeChanges,
): Promise<TicketType> {
  const { models, resources, config } = catalog;
  const current = await findTicketType(models, id);
  const patch: PartialModelObject<TicketType> = {
    ...changes,
    price: price === undefined ? undefined : toDecimalText(price),
    sales_start: toDateOrNull(sales_start),
    sales_end: toDateOrNull(sales_end),
  };

  return resources.db.transaction(async (trx) => {
    await managedEvent(trx, models, caller, current.event_id);
    await lockForOffers(trx, id);
    const update = models.TicketType.query(trx).patch(patch).where('id', id);
    if (changes.quantity !== undefined) {
      // One conditional UPDATE: it only matches while the new quantity covers what is sold and held.
      await reclaimExpiredHolds(trx, id);
      update.whereRaw('sold_quantity + held_quantity <= ?', [changes.quantity]);
    }
    if ((await withSalesWindow(update)) === 0) {
      const latest = await models.TicketType.query(trx).findById(id);
      if (!latest) throw new NotFoundError('Ticket type not found');
      const committed = latest.sold_quantity + latest.held_quantity;
      throw new ConflictError(`Quantity cannot drop below the ${committed} units sold or held`, {
        ticket_type_id: id,
        minimum_quantity: committed,
      });
    }
    await offerFreedUnits(trx, id, config.WAITLIST_OFFER_SECONDS);
    const updated = await findTicketType(models, id, trx);
    await catalogEvents.record(trx, 'catalog.ticket_type.updated', toTicketTypeFacts(updated));
    return updated;
  });
}
